using MLNet.AdamW.Networks;

namespace MLNet.AdamW;

/// <summary>
/// He et al.'s CIFAR ResNet ("Deep Residual Learning for Image Recognition", 2016, §4.2), as the
/// paper's code builds it: a 3×3 convolution to <see cref="Width"/> channels, three stages of
/// (<see cref="Depth"/> − 2)/6 basic blocks at Width, 2·Width and 4·Width channels (the second and third
/// halve the image), global average pooling and a linear output layer. Needs
/// <see cref="AdamWTrainerOptions.ImageShape"/> (or a feature column with three dimensions).
/// </summary>
/// <remarks>
/// Convolutions have no bias and start Kaiming-normal, as does the output layer. A trained ResNet is
/// scored by libtorch, so the application needs a TorchSharp backend package (TorchSharp-cpu) to score it.
/// ResNet-20 at width 16 on 3×32×32 has 0.27M parameters, as the paper states.
/// </remarks>
public sealed class ResNetNetworkOptions : NetworkOptions
{
    /// <summary>Layers with weights: 6n + 2 for n blocks per stage.</summary>
    /// <value>Default 20. One of 8, 14, 20, 32, 44, 56, 110, … (6n + 2, n ≥ 1).</value>
    public int Depth { get; set; } = 20;

    /// <summary>Channels of the first stage; the second and third have 2× and 4×.</summary>
    /// <value>Default 16, as the paper. At least 1; 4 or 8 keep CPU runs small.</value>
    public int Width { get; set; } = 16;

    /// <summary>Whether each convolution is followed by batch normalization.</summary>
    /// <value>Default true. False leaves the layers out (they are absent, not frozen), as the paper's
    /// <c>--no-batch-norm</c>.</value>
    public bool BatchNorm { get; set; } = true;

    /// <summary>Whether a stage's widening shortcut is a 1×1 convolution with stride 2 (and its batch norm).</summary>
    /// <value>Default false: option A, every second pixel with the new channels zero-padded (no parameters), as the paper.</value>
    public bool ProjectionShortcuts { get; set; }

    internal override bool HasBatchNorm => BatchNorm;

    internal override void Validate() => ResNetNetwork.CheckDepthAndWidth(Depth, Width);

    internal override NetworkDefinition Define(int inputSize, ImageShape? imageShape, int outputSize) =>
        new ResNetNetwork(RequireImage(imageShape, inputSize, "ResNet"), Depth, Width, BatchNorm, ProjectionShortcuts, outputSize);
}
