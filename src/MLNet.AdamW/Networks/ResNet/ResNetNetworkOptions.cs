namespace MLNet.AdamW.Networks;

/// <summary>
/// He et al.'s CIFAR ResNet (see <see cref="ResNetNetwork"/>). Not yet offered by the trainers: a
/// trained convolutional network needs the libtorch scorer and the named-tensor model file.
/// </summary>
internal sealed class ResNetNetworkOptions : NetworkOptions
{
    /// <summary>6n + 2: 8, 14, 20, 32, 44, 56, 110, …; default 20.</summary>
    public int Depth { get; set; } = 20;

    /// <summary>Channels of the first stage (the others have 2× and 4×); default 16, as the paper.</summary>
    public int Width { get; set; } = 16;

    /// <summary>Batch normalization after every convolution; default true. False leaves the layers out.</summary>
    public bool BatchNorm { get; set; } = true;

    /// <summary>1×1 projection shortcuts where a stage widens, instead of option A's zero padding; default false.</summary>
    public bool ProjectionShortcuts { get; set; }

    internal override bool HasBatchNorm => BatchNorm;

    internal override void Validate() => ResNetNetwork.CheckDepthAndWidth(Depth, Width);

    internal override NetworkDefinition Define(int inputSize, ImageShape? imageShape, int outputSize) =>
        new ResNetNetwork(RequireImage(imageShape, inputSize, "ResNet"), Depth, Width, BatchNorm, ProjectionShortcuts, outputSize);
}
