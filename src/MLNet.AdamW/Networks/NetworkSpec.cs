using System.Globalization;
using MLNet.AdamW.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Networks;

/// <summary>
/// The layout of a multilayer perceptron: input size, hidden layer sizes, activation, batch norm,
/// dropout and output size. <see cref="Build"/> makes the TorchSharp network, identically for a seed.
/// </summary>
/// <remarks>
/// Each hidden layer is Linear → BatchNorm1d (if <see cref="BatchNorm"/>) → activation → Dropout
/// (if <see cref="Dropout"/> &gt; 0); the output layer is a Linear without activation (logits or
/// values). Modules are named <c>linear1</c>, <c>norm1</c>, <c>activation1</c>, <c>dropout1</c>, …,
/// <c>output</c>, so parameter names (and saved weights) are stable. Weights start as TorchSharp
/// (and PyTorch) initialize them.
/// </remarks>
internal sealed class NetworkSpec
{
    /// <summary>Describes a network; call <see cref="Validate"/> (or <see cref="Build"/>) to check it.</summary>
    public NetworkSpec(int inputSize, IReadOnlyList<int> hiddenLayers, Activation activation, bool batchNorm, double dropout, int outputSize)
    {
        ArgumentNullException.ThrowIfNull(hiddenLayers);
        InputSize = inputSize;
        HiddenLayers = hiddenLayers.ToArray();
        Activation = activation;
        BatchNorm = batchNorm;
        Dropout = dropout;
        OutputSize = outputSize;
    }

    /// <summary>Number of inputs (features).</summary>
    public int InputSize { get; }

    /// <summary>Sizes of the hidden layers, input side first; empty for a linear model.</summary>
    public IReadOnlyList<int> HiddenLayers { get; }

    /// <summary>The nonlinearity after each hidden layer.</summary>
    public Activation Activation { get; }

    /// <summary>Whether each hidden layer has a BatchNorm1d between its Linear and its activation.</summary>
    public bool BatchNorm { get; }

    /// <summary>The dropout probability after each hidden activation; 0 for none.</summary>
    public double Dropout { get; }

    /// <summary>Number of outputs: 1 for binary (a logit) and regression, K for K classes.</summary>
    public int OutputSize { get; }

    /// <summary>E.g. "MLP 4-64-64-3, ReLU, batch norm, dropout 0.1".</summary>
    public string Description => Describe(CultureInfo.InvariantCulture, "G");

    /// <summary>The description with the dropout rate to the last bit, for comparing layouts.</summary>
    internal string LayoutKey => Describe(CultureInfo.InvariantCulture, "R");

    /// <summary>Number of trainable values in the network.</summary>
    public long ParameterCount
    {
        get
        {
            long count = 0;
            long inputs = InputSize;
            foreach (var size in HiddenLayers)
            {
                count += (inputs + 1) * size + (BatchNorm ? 2L * size : 0);
                inputs = size;
            }
            return count + (inputs + 1) * OutputSize;
        }
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (InputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(InputSize), InputSize, $"The network needs at least one input; {nameof(InputSize)} was {InputSize}.");
        if (OutputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(OutputSize), OutputSize, $"The network needs at least one output; {nameof(OutputSize)} was {OutputSize}.");
        for (var i = 0; i < HiddenLayers.Count; i++)
            if (HiddenLayers[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(HiddenLayers), HiddenLayers[i],
                    $"{nameof(HiddenLayers)}[{i}] is {HiddenLayers[i]}; every hidden layer needs at least 1 unit (use an empty array for a linear model).");
        Check.Defined(Activation, nameof(Activation));
        Check.InHalfOpen(Dropout, 0, 1, nameof(Dropout));
    }

    /// <summary>
    /// Builds the network in training mode, Float32 on the CPU. The initial weights depend only on
    /// the layout and the seed: the build seeds libtorch's (process-wide) generator first.
    /// </summary>
    public Sequential Build(int seed)
    {
        Validate();
        torch.manual_seed(seed);
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        long inputs = InputSize;
        for (var i = 0; i < HiddenLayers.Count; i++)
        {
            var size = HiddenLayers[i];
            var n = (i + 1).ToString(CultureInfo.InvariantCulture);
            modules.Add(("linear" + n, nn.Linear(inputs, size)));
            if (BatchNorm)
                modules.Add(("norm" + n, nn.BatchNorm1d(size)));
            modules.Add(("activation" + n, CreateActivation()));
            if (Dropout > 0)
                modules.Add(("dropout" + n, nn.Dropout(Dropout)));
            inputs = size;
        }
        modules.Add(("output", nn.Linear(inputs, OutputSize)));
        var network = nn.Sequential(modules.ToArray());
        network.train();
        return network;
    }

    /// <summary>Serializes a network's weights and buffers (TorchSharp's <c>module.save</c> format).</summary>
    public static byte[] SaveWeights(nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        using var stream = new MemoryStream();
        network.save(stream);
        return stream.ToArray();
    }

    /// <summary>Loads weights saved by <see cref="SaveWeights"/> into a network of this layout.</summary>
    /// <exception cref="InvalidOperationException">The weights are for another layout; the message says which.</exception>
    public void LoadWeights(nn.Module network, byte[] weights, string source)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(weights);
        try
        {
            using var stream = new MemoryStream(weights, writable: false);
            network.load(stream, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException)
        {
            throw new InvalidOperationException(
                $"The weights of {source} do not fit a network {Description}: {e.Message}", e);
        }
    }

    private nn.Module<Tensor, Tensor> CreateActivation() => Activation switch
    {
        Activation.ReLU => nn.ReLU(),
        Activation.GELU => nn.GELU(),
        Activation.Tanh => nn.Tanh(),
        Activation.Sigmoid => nn.Sigmoid(),
        Activation.LeakyReLU => nn.LeakyReLU(0.01),
        Activation.SiLU => nn.SiLU(),
        _ => throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "Unknown activation."),
    };

    private string Describe(CultureInfo culture, string dropoutFormat)
    {
        var sizes = string.Join("-", new[] { InputSize }.Concat(HiddenLayers).Append(OutputSize).Select(s => s.ToString(culture)));
        if (HiddenLayers.Count == 0)
            return $"MLP {sizes} (linear)";
        var text = $"MLP {sizes}, {Activation}";
        if (BatchNorm)
            text += ", batch norm";
        if (Dropout > 0)
            text += ", dropout " + Dropout.ToString(dropoutFormat, culture);
        return text;
    }
}
