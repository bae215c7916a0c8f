using MLNet.AdamW.Networks;
using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.AdamW.Tests.Networks;

public sealed class ConvNetNetworkTests
{
    // Hand counts. 1×28×28, widths 8-16, 10 outputs: conv1 1·8·9 = 72, conv2 8·16·9 = 1,152, plus per
    // channel 2 batch-norm values (16 + 32) or 1 bias (8 + 16); two poolings leave 16×7×7 = 784 inputs
    // to the output layer, (784 + 1)·10 = 7,850. 3×15×15, width 4, 2 outputs, no batch norm: conv
    // 3·4·9 + 4 = 112, one pooling leaves 4×7×7 (15 rounds down to 7), (196 + 1)·2 = 394.
    [Theory]
    [InlineData(1, 28, new[] { 8, 16 }, true, 10, 9_122)]
    [InlineData(1, 28, new[] { 8, 16 }, false, 10, 9_098)]
    [InlineData(3, 15, new[] { 4 }, false, 2, 506)]
    public void Parameter_counts_and_output_shape_match_the_hand_computation(int channels, int size, int[] widths, bool batchNorm, int outputs, long expected)
    {
        var definition = new ConvNetNetwork(new ImageShape(channels, size, size), widths, batchNorm, outputs);
        Assert.Equal(expected, definition.ParameterCount);
        using var network = definition.Build(seed: 1);
        Assert.Equal(expected, network.parameters().Sum(p => p.numel()));
        Assert.Equal(batchNorm ? widths.Length : 0, network.modules().Count(m => m is BatchNorm2d));
        network.eval();
        using var input = torch.randn(3, channels * size * size);
        using var output = network.forward(input);
        Assert.Equal(new long[] { 3, outputs }, output.shape);
    }

    [Fact]
    public void The_same_seed_builds_the_same_weights()
    {
        var definition = new ConvNetNetwork(new ImageShape(1, 8, 8), [4, 4], true, 3);
        using var first = definition.Build(7);
        using var second = definition.Build(7);
        Assert.Equal(NetworkDefinition.SaveWeights(first), NetworkDefinition.SaveWeights(second));
    }

    [Fact]
    public void An_image_too_small_for_the_poolings_fails_naming_ImageShape_and_the_sizes()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ConvNetNetwork(new ImageShape(1, 28, 6), [8, 8, 8], true, 2).Validate());
        Assert.Equal("ImageShape", e.ParamName);
        Assert.Contains("at least 8×8 pixels", e.Message, StringComparison.Ordinal);
        Assert.Contains("1×28×6", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Widths_are_validated_by_the_options()
    {
        Assert.Equal("Widths", Assert.Throws<ArgumentOutOfRangeException>(() => new ConvNetNetworkOptions { Widths = [] }.Validate()).ParamName);
        Assert.Equal("Widths[1]", Assert.Throws<ArgumentOutOfRangeException>(() => new ConvNetNetworkOptions { Widths = [4, 0] }.Validate()).ParamName);
        var e = Assert.Throws<ArgumentException>(() => new ConvNetNetworkOptions().Define(784, null, 10));
        Assert.Contains("ImageShape", e.Message, StringComparison.Ordinal);
    }
}
