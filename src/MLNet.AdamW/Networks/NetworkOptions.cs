using MLNet.AdamW.Networks;

namespace MLNet.AdamW;

/// <summary>
/// Which network a trainer trains, and its settings: <see cref="MlpNetworkOptions"/> (the default),
/// <see cref="ConvNetNetworkOptions"/> or <see cref="ResNetNetworkOptions"/>.
/// Set one on <see cref="AdamWTrainerOptions.Network"/>, as LightGbm's <c>Booster</c>.
/// </summary>
/// <remarks>
/// Every network ends in a linear output layer (a logit, K class logits or a value), so every
/// network serves every task; the trainer fixes the input and output sizes from the data.
/// </remarks>
public abstract class NetworkOptions
{
    private protected NetworkOptions()
    {
    }

    /// <summary>Whether the network has batch-normalization layers (which need minibatches of at least 2 rows).</summary>
    internal abstract bool HasBatchNorm { get; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    internal abstract void Validate();

    /// <summary>
    /// The network for inputs of this size (laid out as the image shape, if any; the trainer has checked
    /// that its size is the input size) and outputs of that size. A copy: later changes to the options do not reach it.
    /// </summary>
    internal abstract NetworkDefinition Define(int inputSize, ImageShape? imageShape, int outputSize);

    /// <summary>The image shape a convolutional network needs; throws naming the option when there is none.</summary>
    private protected static ImageShape RequireImage(ImageShape? imageShape, int inputSize, string network) =>
        imageShape ?? throw new ArgumentException(
            $"A {network} needs {nameof(AdamWTrainerOptions.ImageShape)} (channels × height × width) or a feature column with three dimensions; the features are a flat vector of {inputSize}.",
            nameof(imageShape));
}
