using MLNet.AdamW.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Optimizers;

public sealed class OptionValidationTests
{
    public static TheoryData<string, Action<AdamOptimizerOptions>> InvalidAdam() => new()
    {
        { "LearningRate", o => o.LearningRate = 0 },
        { "LearningRate", o => o.LearningRate = -1e-3 },
        { "LearningRate", o => o.LearningRate = double.NaN },
        { "LearningRate", o => o.LearningRate = double.PositiveInfinity },
        { "Beta1", o => o.Beta1 = 1 },
        { "Beta1", o => o.Beta1 = -0.1 },
        { "Beta2", o => o.Beta2 = 1.5 },
        { "Beta2", o => o.Beta2 = double.NaN },
        { "Epsilon", o => o.Epsilon = -1e-8 },
        { "Epsilon", o => o.Epsilon = double.PositiveInfinity },
        { "WeightDecay", o => o.WeightDecay = -0.01 },
        { "WeightDecay", o => o.WeightDecay = double.NaN },
        { "WeightDecayMode", o => o.WeightDecayMode = (WeightDecayMode)42 },
        { "WeightDecayScaling", o => o.WeightDecayScaling = (WeightDecayScaling)7 },
        // Decoupled decay with d = α·λ ≥ 1 would flip every weight's sign.
        { "WeightDecay", o => { o.LearningRate = 0.5; o.WeightDecay = 2; } },
        { "WeightDecay", o => { o.WeightDecayScaling = WeightDecayScaling.Schedule; o.WeightDecay = 1; } },
    };

    [Theory]
    [MemberData(nameof(InvalidAdam))]
    public void Adam_option_out_of_range_throws_naming_the_option(string option, Action<AdamOptimizerOptions> spoil)
    {
        var options = new AdamOptimizerOptions();
        spoil(options);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer(OneParameter(), options));
        Assert.Equal(option, e.ParamName);
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<SgdOptimizerOptions>> InvalidSgd() => new()
    {
        { "LearningRate", o => o.LearningRate = 0 },
        { "Momentum", o => o.Momentum = -0.5 },
        { "Momentum", o => o.Momentum = 1 },
        { "Dampening", o => o.Dampening = 1.5 },
        { "WeightDecay", o => o.WeightDecay = double.NegativeInfinity },
    };

    [Theory]
    [MemberData(nameof(InvalidSgd))]
    public void Sgd_option_out_of_range_throws_naming_the_option(string option, Action<SgdOptimizerOptions> spoil)
    {
        var options = new SgdOptimizerOptions();
        spoil(options);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SgdOptimizer(OneParameter(), options));
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void Contradictory_combinations_are_rejected_with_a_reason()
    {
        var none = Assert.Throws<ArgumentException>(() => new AdamOptimizer(OneParameter(),
            new AdamOptimizerOptions { WeightDecayMode = WeightDecayMode.None, WeightDecay = 0.01 }));
        Assert.Contains("WeightDecayMode", none.Message, StringComparison.Ordinal);

        var nesterov = Assert.Throws<ArgumentException>(() => new SgdOptimizer(OneParameter(),
            new SgdOptimizerOptions { Nesterov = true, Momentum = 0 }));
        Assert.Equal("Nesterov", nesterov.ParamName);
    }

    [Fact]
    public void Group_overrides_are_validated_with_the_groups_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer(
            [new ParameterGroup(OneParameter()) { Name = "head", LearningRate = -1 }]));
        Assert.Contains("head", e.ParamName, StringComparison.Ordinal);
        Assert.Contains("LearningRate", e.ParamName, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_parameters_are_rejected_up_front()
    {
        Assert.Throws<ArgumentException>(() => new AdamOptimizer(Array.Empty<TorchSharp.Modules.Parameter>()));
        var integers = new TorchSharp.Modules.Parameter(torch.ones(3, dtype: ScalarType.Int32), requires_grad: false);
        var e = Assert.Throws<ArgumentException>(() => new AdamOptimizer([new ParameterGroup(OneParameter()), new ParameterGroup([integers])]));
        Assert.Contains("Parameter 0 of parameter group 1 (unnamed) is Int32", e.Message, StringComparison.Ordinal);
        var shared = OneParameter();
        var twice = Assert.Throws<ArgumentException>(() => new AdamOptimizer([new ParameterGroup(shared), new ParameterGroup(shared)]));
        Assert.Contains("parameter group 1 (unnamed)", twice.Message, StringComparison.Ordinal);
        // The same tensor behind two Parameter objects is caught by its memory.
        var copy = new TorchSharp.Modules.Parameter(shared[0].detach());
        Assert.Throws<ArgumentException>(() => new AdamOptimizer([new ParameterGroup(shared), new ParameterGroup([copy])]));
        Assert.Throws<ArgumentException>(() => new AdamOptimizer([new ParameterGroup(shared), new ParameterGroup([copy])],
            new AdamOptimizerOptions { StepImplementation = StepImplementation.TensorOperations }));
    }

    [Fact]
    public void Messages_name_an_unnamed_group_by_its_index()
    {
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer(
            [new ParameterGroup(OneParameter()), new ParameterGroup(OneParameter()) { WeightDecay = -1 }]));
        Assert.Equal("ParameterGroup[1].WeightDecay", bad.ParamName);

        var flips = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamOptimizer(
            [new ParameterGroup(OneParameter()) { LearningRate = 0.5, WeightDecay = 4 }]));
        Assert.Equal("ParameterGroup[0].WeightDecay", flips.ParamName);
        Assert.DoesNotContain("''", flips.Message, StringComparison.Ordinal);

        using var optimizer = new AdamOptimizer([new ParameterGroup(OneParameter()), new ParameterGroup(OneParameter())]);
        foreach (var p in optimizer.Groups.SelectMany(g => g.Parameters))
            p.grad = torch.ones_like(p);
        optimizer.Groups[1].LearningRate = double.NaN;
        var lr = Assert.Throws<InvalidOperationException>(() => optimizer.step());
        Assert.Contains("parameter group 1 (unnamed)", lr.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("''", lr.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_are_copied_so_later_changes_do_not_leak_in()
    {
        var options = new AdamOptimizerOptions { LearningRate = 1e-3 };
        using var optimizer = new AdamOptimizer(OneParameter(), options);
        options.LearningRate = 10;
        options.Beta1 = 0.5;
        Assert.Equal(1e-3, optimizer.Groups[0].LearningRate);
        Assert.Equal((0.9, 0.999), optimizer.Betas);
    }

    private static TorchSharp.Modules.Parameter[] OneParameter() => [new(torch.ones(2, 3))];
}
