using MLNet.AdamW.Networks;
using MLNet.AdamW.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Networks;

public sealed class MlpNetworkTests
{
    [Fact]
    public void Builds_linear_norm_activation_dropout_per_hidden_layer()
    {
        var spec = new MlpNetwork(4, [64, 64], Activation.ReLU, batchNorm: true, dropout: 0.1, outputSize: 3);
        using var network = spec.Build(seed: 1);

        Assert.Equal("MLP 4-64-64-3, ReLU, batch norm, dropout 0.1", spec.Description);
        Assert.Equal(
            ["linear1", "norm1", "activation1", "dropout1", "linear2", "norm2", "activation2", "dropout2", "output"],
            network.named_children().Select(c => c.name));
        Assert.IsType<BatchNorm1d>(network.named_children().Single(c => c.name == "norm1").module);
        Assert.Equal(spec.ParameterCount, network.parameters().Sum(p => p.numel()));
        using var output = network.forward(torch.zeros(5, 4));
        Assert.Equal([5L, 3], output.shape);
    }

    [Theory]
    [InlineData(new int[0], Activation.Tanh, false, 0.0, "MLP 3-1 (linear)")]
    [InlineData(new[] { 8 }, Activation.GELU, false, 0.0, "MLP 3-8-1, GELU")]
    [InlineData(new[] { 8, 4 }, Activation.LeakyReLU, false, 0.25, "MLP 3-8-4-1, LeakyReLU, dropout 0.25")]
    [InlineData(new[] { 8 }, Activation.SiLU, true, 0.0, "MLP 3-8-1, SiLU, batch norm")]
    [InlineData(new[] { 8 }, Activation.Sigmoid, false, 0.0, "MLP 3-8-1, Sigmoid")]
    public void Describes_itself_in_one_line(int[] hidden, Activation activation, bool batchNorm, double dropout, string expected)
    {
        var spec = new MlpNetwork(3, hidden, activation, batchNorm, dropout, 1);
        using var network = spec.Build(seed: 1);
        Assert.Equal(expected, spec.Description);
        Assert.Equal(spec.ParameterCount, network.parameters().Sum(p => p.numel()));
    }

    [Theory]
    [InlineData(Activation.ReLU, -0.0, 2.0)]
    [InlineData(Activation.LeakyReLU, -0.02, 2.0)]
    [InlineData(Activation.Tanh, -0.96402758, 0.96402758)]
    [InlineData(Activation.Sigmoid, 0.11920292, 0.88079708)]
    [InlineData(Activation.SiLU, -0.23840584, 1.76159416)]
    [InlineData(Activation.GELU, -0.04550026, 1.95449974)]
    public void Each_activation_computes_its_function(Activation activation, double atMinusTwo, double atTwo)
    {
        // One hidden unit with weight 1 and bias 0, read out by an identity output layer.
        var spec = new MlpNetwork(1, [1], activation, batchNorm: false, dropout: 0, outputSize: 1);
        using var network = spec.Build(seed: 1);
        using (torch.no_grad())
        {
            foreach (var p in network.parameters())
                p.zero_();
            foreach (var (name, p) in network.named_parameters().Where(np => np.name.EndsWith("weight", StringComparison.Ordinal)))
                p.fill_(1);
        }
        using var output = network.forward(torch.tensor(new float[] { -2, 2 }).reshape(2, 1));
        var values = output.data<float>().ToArray();
        Assert.Equal(atMinusTwo, values[0], 5);
        Assert.Equal(atTwo, values[1], 5);
    }

    [Fact]
    public void Same_seed_same_weights_and_different_seed_different_weights()
    {
        var spec = new MlpNetwork(5, [7, 6], Activation.Tanh, batchNorm: true, dropout: 0.2, outputSize: 2);
        using var a = spec.Build(seed: 42);
        using var b = spec.Build(seed: 42);
        using var c = spec.Build(seed: 43);

        Assert.Equal(Values(a), Values(b));
        Assert.NotEqual(Values(a), Values(c));
    }

    [Fact]
    public void Biases_and_batch_norm_parameters_fall_in_the_no_decay_group()
    {
        var spec = new MlpNetwork(5, [7], Activation.ReLU, batchNorm: true, dropout: 0, outputSize: 2);
        using var network = spec.Build(seed: 1);

        var groups = ParameterGroups.ForModule(network);

        Assert.Equal(2, groups.Count);
        Assert.Equal(2, groups[0].Parameters.Count);               // linear1.weight, output.weight
        Assert.Equal(4, groups[1].Parameters.Count);               // two biases, the norm's weight and bias
    }

    [Theory]
    [InlineData(0, 2, 0.0, "InputSize")]
    [InlineData(3, 0, 0.0, "OutputSize")]
    [InlineData(3, 2, 1.0, "Dropout")]
    [InlineData(3, 2, -0.1, "Dropout")]
    [InlineData(3, 2, double.NaN, "Dropout")]
    public void Out_of_range_settings_are_named(int inputs, int outputs, double dropout, string name)
    {
        var spec = new MlpNetwork(inputs, [4], Activation.ReLU, false, dropout, outputs);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => spec.Build(seed: 1));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void A_hidden_layer_without_units_or_an_unknown_activation_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MlpNetwork(3, [4, 0], Activation.ReLU, false, 0, 1).Validate());
        Assert.Equal("HiddenLayers", e.ParamName);
        Assert.Contains("HiddenLayers[1] is 0", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentOutOfRangeException>(() => new MlpNetwork(3, [4], (Activation)99, false, 0, 1).Validate());
        Assert.Equal("Activation", e.ParamName);
    }

    [Fact]
    public void Weights_round_trip_and_another_layout_is_refused_clearly()
    {
        var spec = new MlpNetwork(3, [4], Activation.ReLU, batchNorm: true, dropout: 0, outputSize: 2);
        using var trained = spec.Build(seed: 1);
        var bytes = MlpNetwork.SaveWeights(trained);
        using var copy = spec.Build(seed: 2);
        spec.LoadWeights(copy, bytes, "the test model");
        Assert.Equal(Values(trained), Values(copy));

        var other = new MlpNetwork(3, [5], Activation.ReLU, batchNorm: true, dropout: 0, outputSize: 2);
        using var otherNetwork = other.Build(seed: 1);
        var e = Assert.Throws<InvalidOperationException>(() => other.LoadWeights(otherNetwork, bytes, "the test model"));
        Assert.Contains("The weights of the test model do not fit a network MLP 3-5-2", e.Message, StringComparison.Ordinal);
    }

    private static float[] Values(nn.Module network) =>
        network.state_dict().Values.Where(t => t.is_floating_point()).SelectMany(t => t.data<float>().ToArray()).ToArray();
}
