using MLNet.AdamW.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Optimizers;

/// <summary>
/// Decoupled decay shrinks by 1 − d_t, so d_t ≥ 1 flips or zeroes every weight. Construction
/// checks it from the initial rate; these tests raise d_t afterwards, through a scheduler or a
/// group's weight decay, and require the step that would apply it to refuse before changing anything.
/// </summary>
public sealed class DecayGuardTests
{
    public static TheoryData<StepImplementation, WeightDecayScaling> Implementations() => new()
    {
        { StepImplementation.FusedKernel, WeightDecayScaling.LearningRate },
        { StepImplementation.FusedKernel, WeightDecayScaling.Schedule },
        { StepImplementation.TensorOperations, WeightDecayScaling.LearningRate },
        { StepImplementation.TensorOperations, WeightDecayScaling.Schedule },
    };

    [Theory]
    [MemberData(nameof(Implementations))]
    public void A_one_cycle_schedule_that_raises_d_to_1_stops_the_step_that_would_apply_it(StepImplementation implementation, WeightDecayScaling scaling)
    {
        // OneCycle starts at max_lr / 25 = 0.02 and rises to 0.5 over the first 30 of 100 steps.
        // d_t = α·η_t·λ = lr·4 (learning-rate scaling) or η_t·λ = (lr / 0.02)·0.08 (schedule scaling):
        // 0.08 at the start, 2 at the peak; it reaches 1 at lr = 0.25.
        var lambda = scaling == WeightDecayScaling.LearningRate ? 4 : 0.08;
        using var network = new TinyNetwork(seed: 21);
        using var optimizer = new AdamOptimizer(ParameterGroups.ForModule(network.Module), new AdamOptimizerOptions
        {
            LearningRate = 0.02, WeightDecay = lambda, WeightDecayScaling = scaling, StepImplementation = implementation,
        });
        var schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr: 0.5, total_steps: 100, cycle_momentum: false);

        var steps = 0;
        InvalidOperationException? refusal = null;
        while (refusal is null && steps < 100)
        {
            network.Backward();
            var lr = optimizer.Groups[0].LearningRate;
            var d = scaling == WeightDecayScaling.LearningRate ? lr * lambda : lr / optimizer.Groups[0].InitialLearningRate * lambda;
            var weights = network.Weights();
            var state = SavedState(optimizer);
            try
            {
                optimizer.step();
                Assert.True(d < 1, $"a step with d = {d} must be refused");
                steps++;
                schedule.step();
            }
            catch (InvalidOperationException e)
            {
                refusal = e;
                Assert.True(d >= 1, $"the step was refused at d = {d}");
                Assert.Equal(weights, network.Weights());
                Assert.Equal(state, SavedState(optimizer));
            }
        }

        Assert.NotNull(refusal);
        Assert.InRange(steps, 5, 29);
        var message = refusal.Message;
        Assert.Contains("parameter group 0 ('decay')", message, StringComparison.Ordinal);
        Assert.Contains($"at step {steps + 1}", message, StringComparison.Ordinal);
        Assert.Contains($"WeightDecayScaling.{scaling}", message, StringComparison.Ordinal);
        Assert.Contains(lambda.ToString(System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
        Assert.Contains(optimizer.Groups[0].LearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
        Assert.Contains("Proximal", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cyclic_schedule_is_stopped_too()
    {
        using var network = new TinyNetwork(seed: 22);
        using var optimizer = new SgdOptimizer(network.Module.parameters(), new SgdOptimizerOptions
        {
            LearningRate = 0.1, WeightDecay = 2, WeightDecayMode = WeightDecayMode.Decoupled, Momentum = 0.9,
        });
        // From 0.1 to 0.7 and back every 20 steps: d = 2·lr reaches 1 at lr = 0.5.
        var schedule = torch.optim.lr_scheduler.CyclicLR(optimizer, base_lr: 0.1, max_lr: 0.7, step_size_up: 10, cycle_momentum: false);
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            for (var t = 0; t < 40; t++)
            {
                network.Backward();
                optimizer.step();
                schedule.step();
            }
        });
        Assert.Contains("parameter group 0 (unnamed)", e.Message, StringComparison.Ordinal);
        Assert.True(optimizer.Groups[0].LearningRate * 2 >= 1);
    }

    [Fact]
    public void A_raised_group_weight_decay_is_refused_at_the_next_step_and_nothing_changes()
    {
        using var network = new TinyNetwork(seed: 23);
        var groups = ParameterGroups.ForModule(network.Module);
        // Two groups: the refusal of the second must leave the first untouched as well.
        using var optimizer = new AdamOptimizer(groups.Select(g => new ParameterGroup(g.Parameters) { WeightDecay = g.WeightDecay }),
            new AdamOptimizerOptions { LearningRate = 0.1, WeightDecay = 0.5 });
        network.Backward();
        optimizer.step();

        optimizer.Groups[1].WeightDecay = 10;
        network.Backward();
        var weights = network.Weights();
        var state = SavedState(optimizer);
        var e = Assert.Throws<InvalidOperationException>(() => optimizer.step());
        Assert.Contains("parameter group 1 (unnamed) at step 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("0.1 × 10 = 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(weights, network.Weights());
        Assert.Equal(state, SavedState(optimizer));

        // Back in range, training continues.
        optimizer.Groups[1].WeightDecay = 0.5;
        optimizer.step();
        Assert.NotEqual(weights, network.Weights());
    }

    [Theory]
    [InlineData(WeightDecayMode.Proximal)]
    [InlineData(WeightDecayMode.L2)]
    public void Other_modes_accept_any_d(WeightDecayMode mode)
    {
        var parameter = TensorValues.Parameter([1, -2, 3], [3], ScalarType.Float64);
        using var optimizer = new AdamOptimizer([parameter], new AdamOptimizerOptions { LearningRate = 0.1, WeightDecay = 0.5, WeightDecayMode = mode });
        optimizer.Groups[0].LearningRate = 5;
        optimizer.Groups[0].WeightDecay = 3;
        TensorValues.SetGradients([parameter], [0.1, 0.1, 0.1]);
        optimizer.step();
        Assert.All(TensorValues.Of(parameter), v => Assert.True(double.IsFinite(v)));
    }

    private static byte[] SavedState(WeightDecayOptimizer optimizer)
    {
        using var stream = new MemoryStream();
        optimizer.SaveState(stream);
        return stream.ToArray();
    }
}
