using MLNet.AdamW.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Networks;

/// <summary>
/// One network of fixed input and output sizes, as its <see cref="NetworkOptions"/> describe it:
/// builds the TorchSharp module, names its layout (warm starts and checkpoints must match it),
/// describes itself, and says which parameters are normalization parameters (spared by the decay mask).
/// </summary>
/// <remarks>
/// Every network is an <c>nn.Sequential</c> whose last module is a Linear named <c>output</c>, so the
/// training loop (label scaling folds into that layer) and the model need nothing network-specific.
/// </remarks>
internal abstract class NetworkDefinition
{
    protected NetworkDefinition(int inputSize, int outputSize)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
    }

    /// <summary>Number of inputs (features).</summary>
    public int InputSize { get; }

    /// <summary>Number of outputs: 1 for binary (a logit) and regression, K for K classes.</summary>
    public int OutputSize { get; }

    /// <summary>Whether the network has batch-normalization layers (a minibatch needs 2 rows or more).</summary>
    public abstract bool BatchNorm { get; }

    /// <summary>A one-line description for users, e.g. "MLP 4-64-64-3, ReLU, batch norm, dropout 0.1".</summary>
    public abstract string Description { get; }

    /// <summary>Everything that decides the module's parameters and forward pass, for comparing layouts exactly.</summary>
    public abstract string LayoutKey { get; }

    /// <summary>Number of trainable values in the network.</summary>
    public abstract long ParameterCount { get; }

    /// <summary>Which network this is, as the model file records it.</summary>
    public abstract NetworkKind Kind { get; }

    /// <summary>How the input vector is an image, for the networks that see one; null for the others.</summary>
    public virtual ImageShape? Image => null;

    /// <summary>
    /// Writes the network field by field: kind, input and output sizes, the image shape (if any),
    /// then the network's own settings (<see cref="WriteSettings"/>). <see cref="Read"/> reads it back.
    /// </summary>
    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write((byte)Kind);
        writer.Write(InputSize);
        writer.Write(OutputSize);
        writer.Write(Image is not null);
        if (Image is { } image)
        {
            writer.Write(image.Channels);
            writer.Write(image.Height);
            writer.Write(image.Width);
        }
        WriteSettings(writer);
    }

    /// <summary>Writes the settings that, with the sizes and the image, define the network.</summary>
    protected abstract void WriteSettings(BinaryWriter writer);

    /// <summary>
    /// Reads what <see cref="Write"/> wrote and checks it. The one registration of a network kind:
    /// a new network adds its <see cref="NetworkKind"/> and its reader here.
    /// </summary>
    /// <exception cref="InvalidDataException">An unknown kind, or settings out of range.</exception>
    public static NetworkDefinition Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var kind = (NetworkKind)reader.ReadByte();
        var inputs = reader.ReadInt32();
        var outputs = reader.ReadInt32();
        ImageShape? image = null;
        try
        {
            if (reader.ReadBoolean())
                image = new ImageShape(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
            NetworkDefinition network = kind switch
            {
                NetworkKind.Mlp => MlpNetwork.ReadSettings(reader, inputs, outputs),
                NetworkKind.ConvNet => ConvNetNetwork.ReadSettings(reader, Required(image, kind), outputs),
                NetworkKind.ResNet => ResNetNetwork.ReadSettings(reader, Required(image, kind), outputs),
                _ => throw new InvalidDataException($"The model data names an unknown network (kind {(byte)kind}); it was saved by a newer MLNet.AdamW or is corrupted."),
            };
            if (network.InputSize != inputs)
                throw new InvalidDataException($"The model data is corrupted: a {kind} network of {network.InputSize} inputs claims {inputs}.");
            network.Validate();
            return network;
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The model data is corrupted: its {kind} network is out of range ({e.Message}).", e);
        }
    }

    private static ImageShape Required(ImageShape? image, NetworkKind kind) =>
        image ?? throw new InvalidDataException($"The model data is corrupted: its {kind} network has no image shape.");

    /// <summary>Reads a list of sizes written as a count and the values.</summary>
    protected static int[] ReadSizes(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > 1024)
            throw new InvalidDataException($"The model data is corrupted: {count} layer sizes.");
        var sizes = new int[count];
        for (var i = 0; i < count; i++)
            sizes[i] = reader.ReadInt32();
        return sizes;
    }

    /// <summary>Writes a list of sizes as a count and the values.</summary>
    protected static void WriteSizes(BinaryWriter writer, IReadOnlyList<int> sizes)
    {
        writer.Write(sizes.Count);
        foreach (var size in sizes)
            writer.Write(size);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public virtual void Validate()
    {
        if (InputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(InputSize), InputSize, $"The network needs at least one input; {nameof(InputSize)} was {InputSize}.");
        if (OutputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(OutputSize), OutputSize, $"The network needs at least one output; {nameof(OutputSize)} was {OutputSize}.");
    }

    /// <summary>
    /// Builds the network in training mode, Float32 on the CPU. The initial weights depend only on
    /// the layout and the seed: the build seeds libtorch's (process-wide) generator first.
    /// </summary>
    public Sequential Build(int seed)
    {
        Validate();
        torch.manual_seed(seed);
        var network = CreateModule();
        network.train();
        return network;
    }

    /// <summary>Creates the module and initializes its weights from libtorch's generator, already seeded.</summary>
    protected abstract Sequential CreateModule();

    /// <summary>
    /// The optimizer's groups: every trainable parameter decayed, or (the default mask) biases and the
    /// normalization parameters in a group with λ = 0. By default the normalization parameters are those
    /// of the modules <see cref="Optimizers.ParameterGroups.IsNormalization"/> recognizes (BatchNorm1d and
    /// BatchNorm2d among them); a network with other normalization parameters overrides this.
    /// </summary>
    public virtual IReadOnlyList<ParameterGroup> ParameterGroups(Sequential network, bool decayAllParameters) =>
        Optimizers.ParameterGroups.ForModule(network, decayAllParameters);

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
}
