using System.Globalization;
using MLNet.AdamW.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Networks;

/// <summary>
/// He et al.'s CIFAR ResNet ("Deep Residual Learning for Image Recognition", 2016, §4.2) as the
/// paper's code builds it: depth 6n + 2, a 3×3 convolution to <see cref="Width"/> channels, three
/// stages of n basic blocks at Width, 2·Width and 4·Width channels (the second and third halve the
/// image), global average pooling and a linear output layer.
/// </summary>
/// <remarks>
/// Convolutions have no bias; each is followed by a BatchNorm2d when <see cref="BatchNorm"/> is on, and
/// by nothing otherwise (the layers are absent, not frozen). A stage's first block widens and halves
/// through its shortcut: option A takes every second pixel and pads the new channels with zeros (no
/// parameters), a projection is a 1×1 convolution with stride 2 (and its BatchNorm2d). Convolution and
/// linear weights start Kaiming-normal (fan in, gain √2), as the paper's code initializes them.
/// </remarks>
internal sealed class ResNetNetwork : NetworkDefinition
{
    public ResNetNetwork(ImageShape image, int depth, int width, bool batchNorm, bool projectionShortcuts, int outputSize)
        : base(checked((int)image.Size), outputSize)
    {
        Image = image;
        Depth = depth;
        Width = width;
        BatchNorm = batchNorm;
        ProjectionShortcuts = projectionShortcuts;
    }

    public override ImageShape Image { get; }

    public override NetworkKind Kind => NetworkKind.ResNet;

    /// <summary>6n + 2 layers with weights (convolutions and the output layer), not counting projections.</summary>
    public int Depth { get; }

    /// <summary>Channels of the first stage; the others have 2× and 4×.</summary>
    public int Width { get; }

    public override bool BatchNorm { get; }

    /// <summary>1×1 projection shortcuts where a block widens, instead of option A.</summary>
    public bool ProjectionShortcuts { get; }

    private int BlocksPerStage => (Depth - 2) / 6;

    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"ResNet-{Depth} width {Width} on {Image}, {(ProjectionShortcuts ? "projection" : "option-A")} shortcuts{(BatchNorm ? ", batch norm" : ", no batch norm")}, {OutputSize} outputs");

    public override string LayoutKey => Description;

    public override long ParameterCount
    {
        get
        {
            long Conv(long inputs, long outputs, long kernel) => inputs * outputs * kernel * kernel + (BatchNorm ? 2 * outputs : 0);
            var count = Conv(Image.Channels, Width, 3);
            long channels = Width;
            for (var stage = 0; stage < 3; stage++)
            {
                long planes = Width << stage;
                for (var block = 0; block < BlocksPerStage; block++)
                {
                    count += Conv(channels, planes, 3) + Conv(planes, planes, 3);
                    if (ProjectionShortcuts && channels != planes)
                        count += Conv(channels, planes, 1);
                    channels = planes;
                }
            }
            return count + (channels + 1) * OutputSize;
        }
    }

    protected override void WriteSettings(BinaryWriter writer)
    {
        writer.Write(Depth);
        writer.Write(Width);
        writer.Write(BatchNorm);
        writer.Write(ProjectionShortcuts);
    }

    internal static ResNetNetwork ReadSettings(BinaryReader reader, ImageShape image, int outputSize) =>
        new(image, depth: reader.ReadInt32(), width: reader.ReadInt32(), batchNorm: reader.ReadBoolean(), projectionShortcuts: reader.ReadBoolean(), outputSize);

    public override void Validate()
    {
        base.Validate();
        CheckDepthAndWidth(Depth, Width);
        if (Image.Height < 4 || Image.Width < 4)
            throw new ArgumentOutOfRangeException(nameof(ImageShape), Image,
                $"A ResNet halves the image twice, so it needs images of at least 4×4 pixels; {nameof(ImageShape)} is {Image}.");
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless depth = 6n + 2 (n ≥ 1) and width ≥ 1.</summary>
    internal static void CheckDepthAndWidth(int depth, int width)
    {
        if (depth < 8 || (depth - 2) % 6 != 0)
            throw Check.OutOfRange(nameof(Depth), depth, "6n + 2 with n ≥ 1 (8, 14, 20, 32, 44, 56, 110, …)");
        if (width < 1)
            throw Check.OutOfRange(nameof(Width), width, "at least 1");
    }

    protected override Sequential CreateModule()
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("image", nn.Unflatten(1, [Image.Channels, Image.Height, Image.Width])),
            ("conv", Conv3x3(Image.Channels, Width, 1)),
        };
        if (BatchNorm)
            modules.Add(("norm", nn.BatchNorm2d(Width)));
        modules.Add(("relu", nn.ReLU()));
        long channels = Width;
        for (var stage = 0; stage < 3; stage++)
        {
            long planes = Width << stage;
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (var block = 0; block < BlocksPerStage; block++)
            {
                var stride = stage > 0 && block == 0 ? 2 : 1;
                blocks.Add(("block" + (block + 1).ToString(CultureInfo.InvariantCulture),
                    new ResidualBlock(channels, planes, stride, BatchNorm, ProjectionShortcuts)));
                channels = planes;
            }
            modules.Add(("stage" + (stage + 1).ToString(CultureInfo.InvariantCulture), nn.Sequential(blocks.ToArray())));
        }
        modules.Add(("pool", nn.AdaptiveAvgPool2d(1)));
        modules.Add(("flatten", nn.Flatten()));
        modules.Add(("output", nn.Linear(channels, OutputSize)));
        var network = nn.Sequential(modules.ToArray());
        using (torch.no_grad())
        {
            foreach (var module in network.modules())
            {
                if (module is Conv2d conv)
                    nn.init.kaiming_normal_(conv.weight);
                else if (module is Linear linear)
                    nn.init.kaiming_normal_(linear.weight);
            }
        }
        return network;
    }

    internal static Conv2d Conv3x3(long inputs, long outputs, long stride) =>
        nn.Conv2d(inputs, outputs, kernel_size: 3, stride: stride, padding: 1, bias: false);

    /// <summary>conv3×3 → [BN] → ReLU → conv3×3 → [BN], plus the shortcut, then ReLU.</summary>
    private sealed class ResidualBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential residual;
        private readonly Sequential? shortcut;
        private readonly long _padding;
        private readonly bool _downsample;

        public ResidualBlock(long inputs, long planes, long stride, bool batchNorm, bool projection)
            : base(nameof(ResidualBlock))
        {
            var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("conv1", Conv3x3(inputs, planes, stride)) };
            if (batchNorm)
                layers.Add(("norm1", nn.BatchNorm2d(planes)));
            layers.Add(("relu", nn.ReLU()));
            layers.Add(("conv2", Conv3x3(planes, planes, 1)));
            if (batchNorm)
                layers.Add(("norm2", nn.BatchNorm2d(planes)));
            residual = nn.Sequential(layers.ToArray());
            if (stride != 1 || inputs != planes)
            {
                if (projection)
                {
                    var projectionLayers = new List<(string, nn.Module<Tensor, Tensor>)>
                    {
                        ("conv", nn.Conv2d(inputs, planes, kernel_size: 1, stride: stride, bias: false)),
                    };
                    if (batchNorm)
                        projectionLayers.Add(("norm", nn.BatchNorm2d(planes)));
                    shortcut = nn.Sequential(projectionLayers.ToArray());
                }
                else
                {
                    _padding = (planes - inputs) / 2;
                    _downsample = stride != 1;
                }
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = torch.NewDisposeScope();
            Tensor identity;
            if (shortcut is not null)
            {
                identity = shortcut.forward(input);
            }
            else if (_downsample || _padding > 0)
            {
                var sampled = _downsample
                    ? input.index(TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(step: 2), TensorIndex.Slice(step: 2))
                    : input;
                identity = nn.functional.pad(sampled, [0, 0, 0, 0, _padding, _padding]);
            }
            else
            {
                identity = input;
            }
            return nn.functional.relu(residual.forward(input) + identity).MoveToOuterDisposeScope();
        }
    }
}
