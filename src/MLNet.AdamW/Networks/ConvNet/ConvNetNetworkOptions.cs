namespace MLNet.AdamW.Networks;

/// <summary>
/// A small plain CNN (see <see cref="ConvNetNetwork"/>). Not yet offered by the trainers: a trained
/// convolutional network needs the libtorch scorer and the named-tensor model file.
/// </summary>
internal sealed class ConvNetNetworkOptions : NetworkOptions
{
    /// <summary>Output channels of each conv–[BN]–ReLU–pool block; default { 16, 32 }.</summary>
    public int[] Widths { get; set; } = [16, 32];

    /// <summary>Batch normalization after every convolution; default true. False leaves the layers out.</summary>
    public bool BatchNorm { get; set; } = true;

    internal override bool HasBatchNorm => BatchNorm;

    internal override void Validate() => ConvNetNetwork.CheckWidths(Widths);

    internal override NetworkDefinition Define(int inputSize, ImageShape? imageShape, int outputSize) =>
        new ConvNetNetwork(RequireImage(imageShape, inputSize, "CNN"), Widths, BatchNorm, outputSize);
}
