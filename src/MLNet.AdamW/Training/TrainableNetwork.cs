using static TorchSharp.torch;

namespace MLNet.AdamW.Training;

/// <summary>
/// The network as the training loop needs it: the built module, how messages describe it, the key a
/// checkpoint's layout must match, and whether it normalizes over the batch. This is the loop's only
/// view of a network, so network definitions (<c>Networks/</c>) meet the loop here.
/// </summary>
internal sealed class TrainableNetwork
{
    public TrainableNetwork(
        nn.Module<Tensor, Tensor> module, string description, string layoutKey, bool hasBatchNorm,
        Func<bool, IReadOnlyList<MLNet.AdamW.Optimizers.ParameterGroup>>? parameterGroups = null)
    {
        Module = module;
        _parameterGroups = parameterGroups ?? (decayAll => MLNet.AdamW.Optimizers.ParameterGroups.ForModule(module, decayAll));
        Description = description;
        LayoutKey = layoutKey;
        HasBatchNorm = hasBatchNorm;
    }

    private readonly Func<bool, IReadOnlyList<MLNet.AdamW.Optimizers.ParameterGroup>> _parameterGroups;

    /// <summary>
    /// The optimizer's parameter groups: the network's own decay mask (by default weights decayed,
    /// biases and normalization parameters spared), or every parameter decayed.
    /// </summary>
    public IReadOnlyList<MLNet.AdamW.Optimizers.ParameterGroup> ParameterGroups(bool decayAllParameters) => _parameterGroups(decayAllParameters);

    /// <summary>The module being trained.</summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>E.g. "MLP 4-16-3, ReLU".</summary>
    public string Description { get; }

    /// <summary>The layout to the last bit, for comparing a checkpoint's setup.</summary>
    public string LayoutKey { get; }

    /// <summary>Whether a minibatch of one row must be avoided (batch statistics of one row are undefined).</summary>
    public bool HasBatchNorm { get; }

    /// <summary>Whether a module holds a batch-norm layer.</summary>
    public static bool ContainsBatchNorm(nn.Module module) =>
        module.modules().Any(m => m is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.BatchNorm3d);

    /// <summary>The weights and buffers (TorchSharp's <c>module.save</c> format).</summary>
    public byte[] SaveWeights()
    {
        using var stream = new MemoryStream();
        Module.save(stream);
        return stream.ToArray();
    }

    /// <summary>Loads weights saved from a network of the same layout.</summary>
    /// <exception cref="InvalidOperationException">The weights are for another layout; the message says which.</exception>
    public void LoadWeights(byte[] weights, string source)
    {
        try
        {
            using var stream = new MemoryStream(weights, writable: false);
            Module.load(stream, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException)
        {
            throw new InvalidOperationException($"The weights of {source} do not fit a network {Description}: {e.Message}", e);
        }
    }
}
