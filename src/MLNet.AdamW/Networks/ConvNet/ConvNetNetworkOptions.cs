using MLNet.AdamW.Networks;

namespace MLNet.AdamW;

/// <summary>
/// A small plain CNN for image-shaped features: per entry of <see cref="Widths"/> a block 3×3
/// convolution (padding 1) → [BatchNorm2d] → ReLU → 2×2 max pooling, then the flattened feature map
/// into a linear output layer. Needs <see cref="AdamWTrainerOptions.ImageShape"/> (or a feature column
/// with three dimensions).
/// </summary>
/// <remarks>
/// Each block halves the image (rounding down), so an image needs at least 2^blocks pixels each way
/// (1×28×28 takes up to four blocks). Convolutions have a bias only without batch norm, which would
/// cancel it. Weights start as TorchSharp (and PyTorch) initialize them. A trained CNN is scored by
/// libtorch, so the application needs a TorchSharp backend package (TorchSharp-cpu) to score it.
/// </remarks>
public sealed class ConvNetNetworkOptions : NetworkOptions
{
    /// <summary>Output channels of each conv–[BN]–ReLU–pool block, input side first.</summary>
    /// <value>Default { 16, 32 }. At least one block; each width ≥ 1.</value>
    public int[] Widths { get; set; } = [16, 32];

    /// <summary>Whether each convolution is followed by batch normalization.</summary>
    /// <value>Default true. False leaves the layers out (they are absent, not frozen); the paper finds
    /// AdamW's advantage over Adam-ℓ2 largest without them.</value>
    public bool BatchNorm { get; set; } = true;

    internal override bool HasBatchNorm => BatchNorm;

    internal override void Validate() => ConvNetNetwork.CheckWidths(Widths);

    internal override NetworkDefinition Define(int inputSize, ImageShape? imageShape, int outputSize) =>
        new ConvNetNetwork(RequireImage(imageShape, inputSize, "CNN"), Widths, BatchNorm, outputSize);
}
