using MLNet.AdamW.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Networks;

public sealed class ResNetNetworkTests
{
    private static readonly ImageShape Cifar = new(3, 32, 32);

    // Hand count for ResNet-20, width 16, 3×32×32, 10 classes (n = 3 blocks per stage):
    // first conv 3·16·9 = 432; stage 1: 6 convs 16·16·9 = 13,824; stage 2: 16·32·9 + 5·32·32·9 = 50,688;
    // stage 3: 32·64·9 + 5·64·64·9 = 202,752; output 64·10 + 10 = 650; convolutions and output 268,346.
    // Batch norm: 2 values per channel after each of the 19 convolutions: 2·(16 + 6·16 + 6·32 + 6·64) = 1,376.
    // Projections: 16·32 + 32·64 = 2,560, with batch norm 2·(32 + 64) = 192 more.
    [Theory]
    [InlineData(true, false, 269_722)] // the paper's 0.27M
    [InlineData(false, false, 268_346)]
    [InlineData(true, true, 272_474)]
    [InlineData(false, true, 270_906)]
    public void ResNet20_width16_on_cifar_has_the_hand_counted_parameters_and_ten_outputs(bool batchNorm, bool projection, long expected)
    {
        var definition = new ResNetNetwork(Cifar, 20, 16, batchNorm, projection, 10);
        Assert.Equal(expected, definition.ParameterCount);
        using var network = definition.Build(seed: 1);
        Assert.Equal(expected, network.parameters().Sum(p => p.numel()));
        network.eval();
        using var input = torch.randn(2, 3 * 32 * 32);
        using var output = network.forward(input);
        Assert.Equal(new long[] { 2, 10 }, output.shape);
    }

    [Fact]
    public void Batch_norm_off_means_no_batch_norm_layers_and_on_means_one_after_every_convolution()
    {
        using var without = new ResNetNetwork(Cifar, 8, 4, batchNorm: false, projectionShortcuts: true, 10).Build(1);
        Assert.DoesNotContain(without.modules(), m => m is BatchNorm2d);
        using var with = new ResNetNetwork(Cifar, 8, 4, batchNorm: true, projectionShortcuts: true, 10).Build(1);
        Assert.Equal(with.modules().Count(m => m is Conv2d), with.modules().Count(m => m is BatchNorm2d));
        Assert.Equal(7 + 2, with.modules().Count(m => m is Conv2d)); // 1 + 3 stages × 2, plus 2 projections
    }

    [Fact]
    public void The_decay_mask_spares_exactly_the_batch_norm_parameters_and_the_output_bias()
    {
        var definition = new ResNetNetwork(Cifar, 20, 16, batchNorm: true, projectionShortcuts: false, 10);
        using var network = definition.Build(1);
        var groups = definition.ParameterGroups(network, decayAllParameters: false);
        Assert.Equal(1_376 + 10, groups.Single(g => g.WeightDecay == 0).Parameters.Sum(p => p.numel()));
        Assert.Equal(268_346 - 10, groups.Single(g => g.WeightDecay != 0).Parameters.Sum(p => p.numel()));
    }

    [Fact]
    public void Option_A_shortcuts_subsample_and_zero_pad_with_no_parameters()
    {
        // With every block's second convolution zeroed (no batch norm), each block passes its shortcut
        // through a ReLU, so the network is: ReLU(first conv) → twice (every second pixel, channels
        // padded with zeros on both sides) → average → output layer. Computed here independently.
        var definition = new ResNetNetwork(new ImageShape(1, 8, 8), 8, 4, batchNorm: false, projectionShortcuts: false, 3);
        using var network = definition.Build(2);
        network.eval();
        using (torch.no_grad())
        {
            foreach (var (name, parameter) in network.named_parameters())
                if (name.Contains("conv2", StringComparison.Ordinal))
                    parameter.zero_();
        }
        var modules = network.named_children().ToDictionary(c => c.name, c => c.module);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = torch.randn(2, 64);
        var x = nn.functional.relu(((Conv2d)modules["conv"]).forward(input.reshape(2, 1, 8, 8)));
        for (var stage = 0; stage < 2; stage++)
        {
            var channels = x.shape[1];
            var sampled = x.index(TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(step: 2), TensorIndex.Slice(step: 2));
            var padded = torch.zeros(2, channels * 2, sampled.shape[2], sampled.shape[3]);
            padded.index(TensorIndex.Colon, TensorIndex.Slice(channels / 2, channels / 2 + channels)).copy_(sampled);
            x = padded;
        }
        Assert.Equal(new long[] { 2, 16, 2, 2 }, x.shape);
        var expected = ((Linear)modules["output"]).forward(x.mean([2, 3]));
        var actual = network.forward(input);
        Assert.True(torch.allclose(expected, actual, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Convolution_and_linear_weights_start_kaiming_normal()
    {
        using var network = new ResNetNetwork(Cifar, 56, 16, batchNorm: true, projectionShortcuts: false, 10).Build(3);
        var weights = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // A stage-3 convolution: fan in 64·9 = 576, 36,864 values; the standard deviation √(2/576).
        var conv = weights["stage3.block5.residual.conv2.weight"];
        Assert.Equal(Math.Sqrt(2.0 / 576), conv.std().ToDouble(), 0.03 * Math.Sqrt(2.0 / 576));
        Assert.Equal(0, conv.mean().ToDouble(), 0.002);
        // The output layer: fan in 64, 640 values; √(2/64) within 10%.
        Assert.Equal(Math.Sqrt(2.0 / 64), weights["output.weight"].std().ToDouble(), 0.1 * Math.Sqrt(2.0 / 64));
    }

    [Theory]
    [InlineData(18, 16, 32, "Depth")]
    [InlineData(2, 16, 32, "Depth")]
    [InlineData(20, 0, 32, "Width")]
    [InlineData(20, 16, 3, "ImageShape")]
    public void Invalid_layouts_fail_naming_the_setting(int depth, int width, int size, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ResNetNetwork(new ImageShape(1, size, size), depth, width, true, false, 2).Validate());
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void Without_an_image_shape_the_options_refuse_naming_ImageShape()
    {
        var e = Assert.Throws<ArgumentException>(() => new ResNetNetworkOptions().Define(784, null, 10));
        Assert.Contains("ImageShape", e.Message, StringComparison.Ordinal);
        Assert.Contains("784", e.Message, StringComparison.Ordinal);
    }
}
