using System.Globalization;
using MLNet.AdamW.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Networks;

/// <summary>
/// The layout of a multilayer perceptron: input size, hidden layer sizes, activation, batch norm,
/// dropout and output size. <see cref="NetworkDefinition.Build"/> makes the TorchSharp network, identically for a seed.
/// </summary>
/// <remarks>
/// Each hidden layer is Linear → BatchNorm1d (if <see cref="BatchNorm"/>) → activation → Dropout
/// (if <see cref="Dropout"/> &gt; 0); the output layer is a Linear without activation (logits or
/// values). Modules are named <c>linear1</c>, <c>norm1</c>, <c>activation1</c>, <c>dropout1</c>, …,
/// <c>output</c>, so parameter names (and saved weights) are stable. Weights start as TorchSharp
/// (and PyTorch) initialize them.
/// </remarks>
internal sealed class MlpNetwork : NetworkDefinition
{
    /// <summary>Describes a network; call <see cref="Validate"/> (or <see cref="NetworkDefinition.Build"/>) to check it.</summary>
    public MlpNetwork(int inputSize, IReadOnlyList<int> hiddenLayers, Activation activation, bool batchNorm, double dropout, int outputSize)
        : base(inputSize, outputSize)
    {
        ArgumentNullException.ThrowIfNull(hiddenLayers);
        HiddenLayers = hiddenLayers.ToArray();
        Activation = activation;
        BatchNorm = batchNorm;
        Dropout = dropout;
    }

    /// <summary>Sizes of the hidden layers, input side first; empty for a linear model.</summary>
    public IReadOnlyList<int> HiddenLayers { get; }

    /// <summary>The nonlinearity after each hidden layer.</summary>
    public Activation Activation { get; }

    /// <summary>Whether each hidden layer has a BatchNorm1d between its Linear and its activation.</summary>
    public override bool BatchNorm { get; }

    /// <summary>The dropout probability after each hidden activation; 0 for none.</summary>
    public double Dropout { get; }

    /// <summary>E.g. "MLP 4-64-64-3, ReLU, batch norm, dropout 0.1".</summary>
    public override string Description => Describe(CultureInfo.InvariantCulture, "G");

    /// <summary>The description with the dropout rate to the last bit, for comparing layouts.</summary>
    public override string LayoutKey => Describe(CultureInfo.InvariantCulture, "R");

    /// <summary>Number of trainable values in the network.</summary>
    public override long ParameterCount
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

    public override NetworkKind Kind => NetworkKind.Mlp;

    protected override void WriteSettings(BinaryWriter writer)
    {
        WriteSizes(writer, HiddenLayers);
        writer.Write((int)Activation);
        writer.Write(BatchNorm);
        writer.Write(Dropout);
    }

    internal static MlpNetwork ReadSettings(BinaryReader reader, int inputSize, int outputSize) =>
        new(inputSize, hiddenLayers: ReadSizes(reader), activation: (Activation)reader.ReadInt32(), batchNorm: reader.ReadBoolean(),
            dropout: reader.ReadDouble(), outputSize);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public override void Validate()
    {
        base.Validate();
        for (var i = 0; i < HiddenLayers.Count; i++)
            if (HiddenLayers[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(HiddenLayers), HiddenLayers[i],
                    $"{nameof(HiddenLayers)}[{i}] is {HiddenLayers[i]}; every hidden layer needs at least 1 unit (use an empty array for a linear model).");
        Check.Defined(Activation, nameof(Activation));
        Check.InHalfOpen(Dropout, 0, 1, nameof(Dropout));
    }

    /// <inheritdoc />
    protected override Sequential CreateModule()
    {
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
        return nn.Sequential(modules.ToArray());
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
