using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Model;

/// <summary>
/// Turns a trained TorchSharp network into <see cref="DenseLayer"/>s for <see cref="ManagedForward"/>:
/// each Linear becomes a layer, a BatchNorm1d after it is folded in with its running statistics
/// (what inference mode computes), an activation attaches to the layer before it, and dropout,
/// which is the identity at inference, disappears.
/// </summary>
internal static class NetworkExport
{
    public static List<DenseLayer> ToDenseLayers(nn.Module network)
    {
        var layers = new List<DenseLayer>();
        var normalized = false;
        foreach (var (name, module) in network.named_modules())
        {
            if (module.children().Any())
                continue;
            switch (module)
            {
                case Linear linear:
                    layers.Add(FromLinear(linear));
                    normalized = false;
                    break;
                case BatchNorm1d norm:
                    if (layers.Count == 0 || normalized || layers[^1].Activation != LayerActivation.Identity)
                        throw new NotSupportedException($"Batch norm '{name}' must directly follow a Linear layer to be folded into it.");
                    Fold(layers[^1], norm);
                    normalized = true;
                    break;
                case Dropout or Identity:
                    break;
                default:
                    var activation = ActivationOf(module, out var slope)
                        ?? throw new NotSupportedException($"Module '{name}' ({module.GetType().Name}) has no managed inference; supported: Linear, BatchNorm1d, Dropout and ReLU, GELU, Tanh, Sigmoid, LeakyReLU, SiLU.");
                    if (layers.Count == 0 || layers[^1].Activation != LayerActivation.Identity)
                        throw new NotSupportedException($"Activation '{name}' must follow a Linear layer (or its batch norm).");
                    layers[^1].Activation = activation;
                    layers[^1].NegativeSlope = slope;
                    break;
            }
        }
        if (layers.Count == 0)
            throw new NotSupportedException("The network has no Linear layer.");
        return layers;
    }

    private static LayerActivation? ActivationOf(nn.Module module, out float negativeSlope)
    {
        negativeSlope = 0.01f;
        switch (module)
        {
            case ReLU:
                return LayerActivation.ReLU;
            case GELU gelu when gelu.approximate == GELU.Approximate.none:
                return LayerActivation.GELU;
            case Tanh:
                return LayerActivation.Tanh;
            case Sigmoid:
                return LayerActivation.Sigmoid;
            case LeakyReLU leaky:
                negativeSlope = (float)leaky.negative_slope;
                return LayerActivation.LeakyReLU;
            case SiLU:
                return LayerActivation.SiLU;
            default:
                return null;
        }
    }

    private static DenseLayer FromLinear(Linear linear)
    {
        var shape = linear.weight.shape;
        var outputs = checked((int)shape[0]);
        var inputs = checked((int)shape[1]);
        var bias = linear.bias is { } b ? Values(b) : new float[outputs];
        return new DenseLayer(inputs, outputs, Values(linear.weight), bias, LayerActivation.Identity);
    }

    /// <summary>y = γ·(Wx + b − μ)/√(σ² + ε) + β = (s·W)x + s·(b − μ) + β with s = γ/√(σ² + ε).</summary>
    private static void Fold(DenseLayer layer, BatchNorm1d norm)
    {
        var mean = Values(norm.running_mean ?? throw new NotSupportedException("Batch norm without running statistics cannot be folded."));
        var variance = Values(norm.running_var!);
        var gamma = norm.weight is { } w ? Values(w) : null;
        var beta = norm.bias is { } b ? Values(b) : null;
        for (var o = 0; o < layer.Outputs; o++)
        {
            var s = (gamma?[o] ?? 1.0) / Math.Sqrt(variance[o] + norm.eps);
            var row = layer.Weights.AsSpan(o * layer.Inputs, layer.Inputs);
            for (var i = 0; i < row.Length; i++)
                row[i] = (float)(row[i] * s);
            layer.Bias[o] = (float)(s * (layer.Bias[o] - mean[o]) + (beta?[o] ?? 0.0));
        }
    }

    private static float[] Values(Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        return tensor.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
    }
}
