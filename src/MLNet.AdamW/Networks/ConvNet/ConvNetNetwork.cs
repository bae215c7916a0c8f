using System.Globalization;
using MLNet.AdamW.Internal;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Networks;

/// <summary>
/// A small plain CNN: per entry of <see cref="Widths"/> a block 3×3 convolution (padding 1) →
/// [BatchNorm2d] → ReLU → 2×2 max pooling, then the flattened feature map into a linear output layer.
/// </summary>
/// <remarks>
/// Each block halves the image (rounding down), so an image needs at least 2^blocks pixels each way.
/// Convolutions have a bias only without batch norm (a bias before batch norm is cancelled by it).
/// Weights start as TorchSharp (and PyTorch) initialize them.
/// </remarks>
internal sealed class ConvNetNetwork : NetworkDefinition
{
    public ConvNetNetwork(ImageShape image, IReadOnlyList<int> widths, bool batchNorm, int outputSize)
        : base(checked((int)image.Size), outputSize)
    {
        ArgumentNullException.ThrowIfNull(widths);
        Image = image;
        Widths = widths.ToArray();
        BatchNorm = batchNorm;
    }

    public override ImageShape Image { get; }

    public override NetworkKind Kind => NetworkKind.ConvNet;

    /// <summary>Output channels of each convolution block, input side first.</summary>
    public IReadOnlyList<int> Widths { get; }

    public override bool BatchNorm { get; }

    private int FinalHeight => Image.Height >> Widths.Count;

    private int FinalWidth => Image.Width >> Widths.Count;

    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"CNN {Image} → {string.Join("-", Widths)} (3×3 conv{(BatchNorm ? ", batch norm" : "")}, ReLU, 2×2 max pool) → {OutputSize}");

    public override string LayoutKey => Description;

    public override long ParameterCount
    {
        get
        {
            long count = 0, channels = Image.Channels;
            foreach (var width in Widths)
            {
                count += channels * width * 9 + (BatchNorm ? 2L * width : width);
                channels = width;
            }
            return count + (channels * FinalHeight * FinalWidth + 1) * OutputSize;
        }
    }

    protected override void WriteSettings(BinaryWriter writer)
    {
        WriteSizes(writer, Widths);
        writer.Write(BatchNorm);
    }

    internal static ConvNetNetwork ReadSettings(BinaryReader reader, ImageShape image, int outputSize) =>
        new(image, widths: ReadSizes(reader), batchNorm: reader.ReadBoolean(), outputSize);

    public override void Validate()
    {
        base.Validate();
        CheckWidths(Widths);
        if (FinalHeight < 1 || FinalWidth < 1)
            throw new ArgumentOutOfRangeException(nameof(ImageShape), Image, string.Create(CultureInfo.InvariantCulture,
                $"{Widths.Count} pooling blocks halve the image {Widths.Count} times, so it needs at least {1 << Widths.Count}×{1 << Widths.Count} pixels; {nameof(ImageShape)} is {Image}."));
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (named Widths) unless there is at least one width and every width is ≥ 1.</summary>
    internal static void CheckWidths(IReadOnlyList<int>? widths)
    {
        if (widths is null || widths.Count == 0)
            throw Check.OutOfRange(nameof(Widths), widths?.Count ?? 0, "a non-empty list: a CNN needs at least one convolution block");
        for (var i = 0; i < widths.Count; i++)
            if (widths[i] < 1)
                throw Check.OutOfRange(string.Create(CultureInfo.InvariantCulture, $"{nameof(Widths)}[{i}]"), widths[i], "at least 1");
    }

    protected override Sequential CreateModule()
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)> { ("image", nn.Unflatten(1, [Image.Channels, Image.Height, Image.Width])) };
        long channels = Image.Channels;
        for (var i = 0; i < Widths.Count; i++)
        {
            var n = (i + 1).ToString(CultureInfo.InvariantCulture);
            modules.Add(("conv" + n, nn.Conv2d(channels, Widths[i], kernel_size: 3, padding: 1, bias: !BatchNorm)));
            if (BatchNorm)
                modules.Add(("norm" + n, nn.BatchNorm2d(Widths[i])));
            modules.Add(("relu" + n, nn.ReLU()));
            modules.Add(("pool" + n, nn.MaxPool2d(2)));
            channels = Widths[i];
        }
        modules.Add(("flatten", nn.Flatten()));
        modules.Add(("output", nn.Linear(channels * FinalHeight * FinalWidth, OutputSize)));
        return nn.Sequential(modules.ToArray());
    }
}
