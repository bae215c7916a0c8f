using System.Globalization;
using Microsoft.ML.Model.OnnxConverter;
using MLNet.AdamW.Networks;
using static MLNet.AdamW.Model.OnnxExport;

namespace MLNet.AdamW.Model;

/// <summary>
/// Writes a trained convolutional network (<see cref="ConvNetNetwork"/>, <see cref="ResNetNetwork"/>)
/// into the ONNX graph ML.NET's <c>ConvertToOnnx</c> is building, layer for layer as the TorchSharp
/// module computes it in eval mode, from its <c>state_dict</c> tensors.
/// </summary>
/// <remarks>
/// <para>
/// The features (the flat [N, C·H·W] vector, or already [N, C, H, W]) are reshaped to NCHW (Reshape),
/// then: Conv (with a bias only where the module's convolution has one), BatchNormalization with the
/// running statistics (kept as nodes, not folded: ONNX Runtime fuses them into the convolutions
/// itself), Relu, MaxPool (the CNN's 2×2), Add and Relu closing each residual block, GlobalAveragePool
/// (the ResNet), Flatten and Gemm.
/// </para>
/// <para>
/// Opsets: everything is in opset 9 except a ResNet's option-A shortcut, which takes every second
/// pixel (Slice with steps, opset 10) and zero-pads the new channels (Pad with its pads as an input,
/// opset 11), so option-A ResNets need opset 11 (ML.NET's default export uses 12).
/// </para>
/// </remarks>
internal static class OnnxConvolutionExport
{
    /// <summary>The opset an option-A shortcut needs (Pad with its pads as an input).</summary>
    public const int OptionAShortcutOpSet = 11;

    /// <summary>The networks' BatchNorm2d epsilon: TorchSharp's default, which they are built with.</summary>
    private const double BatchNormEpsilon = 1e-5;

    /// <summary>The shape of a 1-D initializer of two values.</summary>
    private static readonly long[] Pair = [2];

    /// <summary>2 on both image axes: the pooling window and strides, the shortcut's slice steps.</summary>
    private static readonly long[] TwoByTwo = [2, 2];

    /// <summary>The option-A slice over the image axes (H, W) from 0 to the end.</summary>
    private static readonly long[] SliceStarts = [0, 0], SliceEnds = [long.MaxValue, long.MaxValue], ImageAxes = [2, 3];

    /// <summary>
    /// Writes <paramref name="network"/> from <paramref name="features"/> ([N, C·H·W], or [N, C, H, W]
    /// when the feature column has three dimensions) to <paramref name="output"/> ([N, outputs]), its
    /// weights taken by name from <paramref name="tensors"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A tensor the network needs is missing or has another shape; the message names it.</exception>
    /// <exception cref="NotSupportedException">The network is not convolutional.</exception>
    public static void Network(OnnxContext ctx, NetworkDefinition network, IReadOnlyList<NamedTensor> tensors, string features, string output, string owner)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(tensors);
        ctx.CheckOpSetVersion(MinimumOpSet, owner);
        switch (network)
        {
            case ConvNetNetwork cnn:
                ConvNet(new Graph(ctx, network, tensors), cnn, features, output);
                break;
            case ResNetNetwork resNet:
                if (!resNet.ProjectionShortcuts)
                    ctx.CheckOpSetVersion(OptionAShortcutOpSet, $"{owner} ({resNet.Description}: option-A shortcuts need Slice with steps and Pad with its pads as an input)");
                ResNet(new Graph(ctx, network, tensors), resNet, features, output);
                break;
            default:
                throw new NotSupportedException($"The network {network.Description} is not a convolutional network; export it with {nameof(OnnxExport)}.");
        }
    }

    private static void ConvNet(Graph g, ConvNetNetwork network, string features, string output)
    {
        var x = g.Image(features, network.Image);
        long channels = network.Image.Channels;
        for (var i = 0; i < network.Widths.Count; i++)
        {
            var n = (i + 1).ToString(CultureInfo.InvariantCulture);
            x = g.Conv(x, "conv" + n, channels, network.Widths[i], kernel: 3, stride: 1, padding: 1, bias: !network.BatchNorm);
            if (network.BatchNorm)
                x = g.Norm(x, "norm" + n, network.Widths[i]);
            x = g.Relu(x);
            x = g.MaxPool2x2(x);
            channels = network.Widths[i];
        }
        var height = network.Image.Height >> network.Widths.Count;
        var width = network.Image.Width >> network.Widths.Count;
        g.Output(g.Flatten(x), channels * height * width, network.OutputSize, output);
    }

    private static void ResNet(Graph g, ResNetNetwork network, string features, string output)
    {
        var x = g.Image(features, network.Image);
        x = g.Conv(x, "conv", network.Image.Channels, network.Width, kernel: 3, stride: 1, padding: 1, bias: false);
        if (network.BatchNorm)
            x = g.Norm(x, "norm", network.Width);
        x = g.Relu(x);
        long channels = network.Width;
        var blocks = (network.Depth - 2) / 6;
        for (var stage = 0; stage < 3; stage++)
        {
            long planes = (long)network.Width << stage;
            for (var block = 0; block < blocks; block++)
            {
                var stride = stage > 0 && block == 0 ? 2 : 1;
                var prefix = string.Create(CultureInfo.InvariantCulture, $"stage{stage + 1}.block{block + 1}.");
                x = ResidualBlock(g, network, prefix, x, channels, planes, stride);
                channels = planes;
            }
        }
        var pooled = Intermediate(g.Context, "GlobalAveragePool");
        Node(g.Context, "GlobalAveragePool", [x], pooled);
        g.Output(g.Flatten(pooled), channels, network.OutputSize, output);
    }

    /// <summary>ReLU(residual(x) + shortcut(x)), as <see cref="ResNetNetwork"/>'s block computes it.</summary>
    private static string ResidualBlock(Graph g, ResNetNetwork network, string prefix, string x, long inputs, long planes, int stride)
    {
        var residual = prefix + "residual.";
        var y = g.Conv(x, residual + "conv1", inputs, planes, kernel: 3, stride: stride, padding: 1, bias: false);
        if (network.BatchNorm)
            y = g.Norm(y, residual + "norm1", planes);
        y = g.Relu(y);
        y = g.Conv(y, residual + "conv2", planes, planes, kernel: 3, stride: 1, padding: 1, bias: false);
        if (network.BatchNorm)
            y = g.Norm(y, residual + "norm2", planes);

        var identity = x;
        if (stride != 1 || inputs != planes)
        {
            if (network.ProjectionShortcuts)
            {
                identity = g.Conv(x, prefix + "shortcut.conv", inputs, planes, kernel: 1, stride: stride, padding: 0, bias: false);
                if (network.BatchNorm)
                    identity = g.Norm(identity, prefix + "shortcut.norm", planes);
            }
            else
            {
                if (stride != 1)
                    identity = g.EverySecondPixel(identity);
                var padding = (planes - inputs) / 2;
                if (padding > 0)
                    identity = g.PadChannels(identity, padding);
            }
        }
        var sum = Intermediate(g.Context, "Sum");
        Node(g.Context, "Add", [y, identity], sum);
        return g.Relu(sum);
    }

    /// <summary>The graph being written and the network's tensors by name.</summary>
    private sealed class Graph
    {
        private readonly NetworkDefinition _network;
        private readonly Dictionary<string, NamedTensor> _tensors;

        public Graph(OnnxContext ctx, NetworkDefinition network, IReadOnlyList<NamedTensor> tensors)
        {
            Context = ctx;
            _network = network;
            _tensors = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
            foreach (var tensor in tensors)
                _tensors[tensor.Name] = tensor;
        }

        public OnnxContext Context { get; }

        /// <summary>[N, C·H·W] (or [N, C, H, W]) → [N, C, H, W]: the module's leading Unflatten.</summary>
        public string Image(string features, ImageShape image)
        {
            var shape = Context.AddInitializer(new long[] { -1, image.Channels, image.Height, image.Width }, new long[] { 4 }, "ImageShape");
            var x = Intermediate(Context, "Image");
            Node(Context, "Reshape", [features, shape], x);
            return x;
        }

        /// <summary>A 2-D convolution, square kernel, the same stride and zero padding on both axes.</summary>
        public string Conv(string x, string name, long inputs, long outputs, long kernel, long stride, long padding, bool bias)
        {
            var inputsList = new List<string> { Initializer(name + ".weight", outputs, inputs, kernel, kernel) };
            if (bias)
                inputsList.Add(Initializer(name + ".bias", outputs));
            var y = Intermediate(Context, "Conv");
            var node = Node(Context, "Conv", [x, .. inputsList], y);
            node.AddAttribute("kernel_shape", new[] { kernel, kernel });
            node.AddAttribute("strides", new[] { stride, stride });
            node.AddAttribute("pads", new[] { padding, padding, padding, padding });
            return y;
        }

        /// <summary>BatchNorm2d in eval mode: (x − running mean)/√(running var + ε)·γ + β per channel.</summary>
        public string Norm(string x, string name, long channels)
        {
            string[] inputs =
            [
                x,
                Initializer(name + ".weight", channels),
                Initializer(name + ".bias", channels),
                Initializer(name + ".running_mean", channels),
                Initializer(name + ".running_var", channels),
            ];
            var y = Intermediate(Context, "BatchNorm");
            Node(Context, "BatchNormalization", inputs, y).AddAttribute("epsilon", BatchNormEpsilon);
            return y;
        }

        public string Relu(string x)
        {
            var y = Intermediate(Context, "Relu");
            Node(Context, "Relu", [x], y);
            return y;
        }

        /// <summary>MaxPool2d(2): 2×2 windows, stride 2, odd rows and columns at the end dropped (floor).</summary>
        public string MaxPool2x2(string x)
        {
            var y = Intermediate(Context, "MaxPool");
            var node = Node(Context, "MaxPool", [x], y);
            node.AddAttribute("kernel_shape", TwoByTwo);
            node.AddAttribute("strides", TwoByTwo);
            return y;
        }

        /// <summary>x[:, :, ::2, ::2]: rows and columns 0, 2, 4, … (an odd size rounds up).</summary>
        public string EverySecondPixel(string x)
        {
            string[] inputs =
            [
                x,
                Context.AddInitializer(SliceStarts, Pair, "SliceStarts"),
                Context.AddInitializer(SliceEnds, Pair, "SliceEnds"),
                Context.AddInitializer(ImageAxes, Pair, "SliceAxes"),
                Context.AddInitializer(TwoByTwo, Pair, "SliceSteps"),
            ];
            var y = Intermediate(Context, "Subsampled");
            Node(Context, "Slice", inputs, y);
            return y;
        }

        /// <summary><paramref name="padding"/> zero channels before and after the existing ones.</summary>
        public string PadChannels(string x, long padding)
        {
            // Pads are [x1_begin, x2_begin, x3_begin, x4_begin, x1_end, …] over N, C, H, W.
            var pads = Context.AddInitializer(new[] { 0L, padding, 0L, 0L, 0L, padding, 0L, 0L }, new long[] { 8 }, "ChannelPads");
            var y = Intermediate(Context, "Padded");
            Node(Context, "Pad", [x, pads], y);
            return y;
        }

        public string Flatten(string x)
        {
            var y = Intermediate(Context, "Flatten");
            Node(Context, "Flatten", [x], y).AddAttribute("axis", 1L);
            return y;
        }

        /// <summary>The Linear named "output": y = x·Wᵀ + b, W stored as [outputs, inputs].</summary>
        public void Output(string x, long inputs, long outputs, string y) =>
            Node(Context, "Gemm", [x, Initializer("output.weight", outputs, inputs), Initializer("output.bias", outputs)], y)
                .AddAttribute("transB", 1L);

        /// <summary>The tensor of that state_dict name as an initializer, after checking its shape.</summary>
        private string Initializer(string name, params long[] shape)
        {
            if (!_tensors.TryGetValue(name, out var tensor))
                throw new InvalidOperationException(
                    $"The weights of the network {_network.Description} have no tensor '{name}', which its ONNX graph needs.");
            if (!tensor.Shape.SequenceEqual(shape))
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"Tensor '{name}' of the network {_network.Description} is [{string.Join(", ", tensor.Shape)}]; its ONNX graph needs [{string.Join(", ", shape)}]."));
            return Context.AddInitializer(tensor.Values, shape, name);
        }
    }
}
