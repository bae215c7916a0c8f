using MLNet.AdamW.Networks;

namespace MLNet.AdamW.Model;

/// <summary>
/// Turns a trained MLP's named tensors into <see cref="DenseLayer"/>s for <see cref="ManagedForward"/>,
/// in managed code: each Linear (<c>linear{i}</c>, then <c>output</c>) becomes a layer, the BatchNorm1d
/// after it (<c>norm{i}</c>) is folded in with its running statistics (what inference mode computes),
/// the activation attaches to the layer, and dropout, the identity at inference, disappears.
/// </summary>
internal static class NetworkExport
{
    /// <summary>The epsilon of TorchSharp's (and PyTorch's) BatchNorm1d, which the MLP builds with its default.</summary>
    private const double BatchNormEpsilon = 1e-5;

    public static List<DenseLayer> ToDenseLayers(MlpNetwork network, IReadOnlyList<NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(network);
        var byName = StateDictionary.ByName(tensors, "The model");
        var layers = new List<DenseLayer>();
        for (var i = 1; i <= network.HiddenLayers.Count; i++)
        {
            var layer = Linear(byName, "linear" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (network.BatchNorm)
                Fold(layer, byName, "norm" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            layer.Activation = LayerActivationOf(network.Activation);
            layers.Add(layer);
        }
        layers.Add(Linear(byName, "output"));
        return layers;
    }

    private static LayerActivation LayerActivationOf(Activation activation) => activation switch
    {
        Activation.ReLU => LayerActivation.ReLU,
        Activation.GELU => LayerActivation.GELU,
        Activation.Tanh => LayerActivation.Tanh,
        Activation.Sigmoid => LayerActivation.Sigmoid,
        Activation.LeakyReLU => LayerActivation.LeakyReLU,
        Activation.SiLU => LayerActivation.SiLU,
        _ => throw new InvalidDataException($"Unknown activation {activation}."),
    };

    private static DenseLayer Linear(Dictionary<string, NamedTensor> byName, string module)
    {
        var weight = Tensor(byName, module + ".weight");
        if (weight.Shape.Length != 2)
            throw new InvalidDataException($"The model's '{module}.weight' has rank {weight.Shape.Length}; a Linear weight has rank 2.");
        var outputs = checked((int)weight.Shape[0]);
        var inputs = checked((int)weight.Shape[1]);
        var bias = (float[])Tensor(byName, module + ".bias").Values.Clone();
        return new DenseLayer(inputs, outputs, (float[])weight.Values.Clone(), bias, LayerActivation.Identity);
    }

    /// <summary>y = γ·(Wx + b − μ)/√(σ² + ε) + β = (s·W)x + s·(b − μ) + β with s = γ/√(σ² + ε).</summary>
    private static void Fold(DenseLayer layer, Dictionary<string, NamedTensor> byName, string module)
    {
        var mean = Values(byName, module + ".running_mean", layer.Outputs);
        var variance = Values(byName, module + ".running_var", layer.Outputs);
        var gamma = Values(byName, module + ".weight", layer.Outputs);
        var beta = Values(byName, module + ".bias", layer.Outputs);
        for (var o = 0; o < layer.Outputs; o++)
        {
            var s = gamma[o] / Math.Sqrt(variance[o] + BatchNormEpsilon);
            var row = layer.Weights.AsSpan(o * layer.Inputs, layer.Inputs);
            for (var i = 0; i < row.Length; i++)
                row[i] = (float)(row[i] * s);
            layer.Bias[o] = (float)(s * (layer.Bias[o] - mean[o]) + beta[o]);
        }
    }

    private static float[] Values(Dictionary<string, NamedTensor> byName, string name, int length)
    {
        var values = Tensor(byName, name).Values;
        if (values.Length != length)
            throw new InvalidDataException($"The model's '{name}' has {values.Length} values; its layer has {length} outputs.");
        return values;
    }

    private static NamedTensor Tensor(Dictionary<string, NamedTensor> byName, string name) =>
        byName.TryGetValue(name, out var tensor) ? tensor : throw new InvalidDataException($"The model has no tensor '{name}'.");
}
