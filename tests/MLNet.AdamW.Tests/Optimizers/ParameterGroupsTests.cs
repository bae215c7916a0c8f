using MLNet.AdamW.Optimizers;
using TorchSharp;

namespace MLNet.AdamW.Tests.Optimizers;

public sealed class ParameterGroupsTests
{
    [Fact]
    public void Biases_and_normalization_parameters_are_spared_by_default()
    {
        var module = torch.nn.Sequential(
            ("fc1", torch.nn.Linear(4, 6)),
            ("bn", torch.nn.BatchNorm1d(6)),
            ("fc2", torch.nn.Linear(6, 6)),
            ("ln", torch.nn.LayerNorm(6)),
            ("out", torch.nn.Linear(6, 2)));

        var groups = ParameterGroups.ForModule(module);

        Assert.Equal(2, groups.Count);
        var decay = Assert.Single(groups, g => g.Name == ParameterGroups.DecayGroupName);
        var spared = Assert.Single(groups, g => g.Name == ParameterGroups.NoDecayGroupName);
        Assert.Null(decay.WeightDecay);
        Assert.Equal(0, spared.WeightDecay);
        // fc1.weight, fc2.weight, out.weight are decayed; 3 biases + bn and ln weight and bias are not.
        Assert.Equal(new long[] { 24, 36, 12 }, decay.Parameters.Select(p => p.numel()));
        Assert.Equal(7, spared.Parameters.Count);
        Assert.Equal(module.parameters().Count(), decay.Parameters.Count + spared.Parameters.Count);
    }

    [Fact]
    public void Decay_all_parameters_gives_one_group_as_in_the_papers_code()
    {
        var module = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6));
        var group = Assert.Single(ParameterGroups.ForModule(module, decayAllParameters: true));
        Assert.Equal(4, group.Parameters.Count);
        Assert.Null(group.WeightDecay);
    }

    [Fact]
    public void A_spared_group_is_not_decayed_while_the_other_is()
    {
        var module = torch.nn.Sequential(torch.nn.Linear(3, 3));
        using var optimizer = new AdamOptimizer(ParameterGroups.ForModule(module), new AdamOptimizerOptions
        {
            LearningRate = 0.1, WeightDecay = 1, WeightDecayMode = WeightDecayMode.Proximal,
        });
        var weight = TensorValues.Of(module.parameters().First());
        var bias = TensorValues.Of(module.parameters().Last());
        foreach (var p in module.parameters())
            p.grad = torch.zeros_like(p);
        optimizer.step();

        // A zero gradient leaves only the decay: weights divided by 1 + 0.1, biases untouched.
        Assert.Equal(weight.Select(w => w / 1.1), TensorValues.Of(module.parameters().First()), new ToleranceComparer(1e-6));
        Assert.Equal(bias, TensorValues.Of(module.parameters().Last()));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(y));

        public int GetHashCode(double obj) => 0;
    }
}
