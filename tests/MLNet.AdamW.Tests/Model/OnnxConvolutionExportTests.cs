using MLNet.AdamW.Model;
using MLNet.AdamW.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Model;

/// <summary>
/// The CNN and the ResNet written into an ONNX graph from their <c>state_dict</c> tensors: ONNX
/// Runtime on the file gives the TorchSharp module's eval-mode forward (≤ 1e-4 absolute), with batch
/// norm on and off, both shortcut kinds, odd image sizes (floor pooling, a slice that rounds up) and
/// non-trivial batch-norm statistics and affine parameters.
/// </summary>
public sealed class OnnxConvolutionExportTests
{
    private const int Rows = 6;

    public OnnxConvolutionExportTests() => torch.set_num_threads(1);

    [Theory]
    [InlineData(true, 1, 1, 8, 8, 3)]
    [InlineData(false, 1, 1, 8, 8, 3)]
    [InlineData(true, 2, 3, 9, 7, 1)]
    [InlineData(false, 3, 2, 11, 10, 2)]
    public void ONNX_Runtime_gives_the_CNNs_eval_forward(bool batchNorm, int blocks, int channels, int height, int width, int outputs)
    {
        int[] widths = [4, 6, 5];
        var network = new ConvNetNetwork(new ImageShape(channels, height, width), widths[..blocks], batchNorm, outputs);
        AssertOnnxEqualsEvalForward(network, opSet: 12);
    }

    [Theory]
    [InlineData(true, false, 8, 1, 8, 8, 3)]
    [InlineData(false, false, 8, 1, 8, 8, 3)]
    [InlineData(true, true, 8, 1, 8, 8, 3)]
    [InlineData(false, true, 8, 1, 8, 8, 1)]
    [InlineData(true, false, 14, 2, 9, 7, 2)]
    [InlineData(false, true, 14, 3, 7, 10, 1)]
    public void ONNX_Runtime_gives_the_ResNets_eval_forward(bool batchNorm, bool projection, int depth, int channels, int height, int width, int outputs)
    {
        var network = new ResNetNetwork(new ImageShape(channels, height, width), depth, 4, batchNorm, projection, outputs);
        AssertOnnxEqualsEvalForward(network, opSet: 12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_papers_ResNet20_at_width_16_on_28x28_images_exports_within_the_tolerance_too(bool batchNorm) =>
        AssertOnnxEqualsEvalForward(new ResNetNetwork(new ImageShape(1, 28, 28), 20, 16, batchNorm, projectionShortcuts: false, 10), opSet: 12);

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    public void The_CNN_and_projection_ResNets_export_from_opset_9_option_A_ResNets_from_opset_11(int opSet)
    {
        var image = new ImageShape(1, 8, 8);
        AssertOnnxEqualsEvalForward(new ConvNetNetwork(image, [4, 6], batchNorm: true, 3), opSet);
        AssertOnnxEqualsEvalForward(new ResNetNetwork(image, 8, 4, batchNorm: true, projectionShortcuts: true, 3), opSet);
        var optionA = new ResNetNetwork(image, 8, 4, batchNorm: true, projectionShortcuts: false, 3);
        if (opSet >= OnnxConvolutionExport.OptionAShortcutOpSet)
        {
            AssertOnnxEqualsEvalForward(optionA, opSet);
            return;
        }
        using var module = optionA.Build(1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Export(optionA, Tensors(module), opSet));
        Assert.Contains("requirement: 11", error.Message, StringComparison.Ordinal);
        Assert.Contains("option-A shortcuts need", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        var network = new ResNetNetwork(new ImageShape(1, 8, 8), 8, 4, batchNorm: true, projectionShortcuts: true, 3);
        using var module = network.Build(1);
        var tensors = Tensors(module).Where(t => t.Name != "stage2.block1.shortcut.norm.running_var").ToList();

        var error = Assert.Throws<InvalidOperationException>(() => Export(network, tensors, 12));
        Assert.Contains("'stage2.block1.shortcut.norm.running_var'", error.Message, StringComparison.Ordinal);
        Assert.Contains(network.Description, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_of_another_shape_is_named_with_both_shapes()
    {
        // The weights of a 2-channel network described as a 1-channel one: the first convolution does not fit.
        var network = new ConvNetNetwork(new ImageShape(1, 8, 8), [4], batchNorm: false, 3);
        using var module = new ConvNetNetwork(new ImageShape(2, 8, 8), [4], batchNorm: false, 3).Build(1);

        var error = Assert.Throws<InvalidOperationException>(() => Export(network, Tensors(module), 12));
        Assert.Contains("'conv1.weight'", error.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 2, 3, 3]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 1, 3, 3]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_MLP_is_refused_naming_the_exporter_it_needs()
    {
        var network = new MlpNetworkOptions { HiddenLayers = [4] }.Define(4, null, 2);
        using var module = network.Build(1);

        var error = Assert.Throws<NotSupportedException>(() => Export(network, Tensors(module), 12));
        Assert.Contains(nameof(OnnxExport), error.Message, StringComparison.Ordinal);
    }

    private static void AssertOnnxEqualsEvalForward(NetworkDefinition network, int opSet)
    {
        using var module = network.Build(seed: 3);
        MakeBatchNormNonTrivial(module, network.InputSize);
        module.eval();
        torch.manual_seed(11);
        using var input = torch.randn(Rows, network.InputSize);
        float[] expected;
        using (torch.no_grad())
        using (var output = module.forward(input))
            expected = output.data<float>().ToArray();

        var actual = OnnxGraphHarness.Run(Export(network, Tensors(module), opSet), input.data<float>().ToArray(), network.InputSize);

        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Max() - expected.Min() > 1e-3, "The reference outputs should differ between rows and outputs.");
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4, $"Output {i}: ONNX {actual[i]}, libtorch {expected[i]}");
    }

    /// <summary>
    /// Batch-norm scales and shifts away from 1 and 0, and running statistics from a few training-mode
    /// passes over inputs of mean 0.5 and scale 2, so eval mode differs from both training mode and identity.
    /// </summary>
    private static void MakeBatchNormNonTrivial(Sequential module, int inputSize)
    {
        torch.manual_seed(7);
        using var noGrad = torch.no_grad();
        foreach (var norm in module.modules().OfType<BatchNorm2d>())
        {
            norm.weight!.uniform_(0.5, 1.5);
            norm.bias!.uniform_(-0.5, 0.5);
        }
        module.train();
        for (var pass = 0; pass < 3; pass++)
        {
            using var batch = torch.randn(8, inputSize) * 2 + 0.5;
            using var _ = module.forward(batch);
        }
    }

    /// <summary>The module's state_dict as the model file holds it.</summary>
    private static List<NamedTensor> Tensors(Sequential module) => StateDictionary.FromModule(module);

    private static byte[] Export(NetworkDefinition network, IReadOnlyList<NamedTensor> tensors, int opSet) =>
        OnnxGraphHarness.Export(network.InputSize, network.OutputSize, opSet, (ctx, features, output) =>
            OnnxGraphHarness.Call(typeof(OnnxConvolutionExport), nameof(OnnxConvolutionExport.Network),
                ctx, network, tensors, features, output, nameof(OnnxConvolutionExportTests)));
}
