using MLNet.AdamW.Data;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Training;
using TorchSharp;

namespace MLNet.AdamW.Tests.Training;

/// <summary>The schedule's multipliers against their closed forms, and the loop driving the optimizer with them.</summary>
public sealed class LearningRateScheduleTests
{
    private const int StepsPerEpoch = 5;

    private static LearningRateScheduler Scheduler(
        LearningRateSchedule schedule, int epochs = 10, int warmup = 0, int stepSize = 3, double gamma = 0.5, double minimum = 0) =>
        new(schedule, epochs, StepsPerEpoch, warmup, stepSize, gamma, minimum);

    [Fact]
    public void Warm_up_rises_linearly_to_one_over_its_steps_then_the_schedule_takes_over()
    {
        var scheduler = Scheduler(LearningRateSchedule.Constant, warmup: 2);
        Assert.Equal(10, scheduler.WarmupSteps);
        for (var t = 0; t < 10; t++)
            Assert.Equal((t + 1) / 10.0, scheduler.Multiplier(t), 15);
        for (var t = 10; t < 50; t++)
            Assert.Equal(1.0, scheduler.Multiplier(t));
    }

    [Fact]
    public void Step_multiplies_by_gamma_every_step_size_epochs()
    {
        var scheduler = Scheduler(LearningRateSchedule.Step, stepSize: 3, gamma: 0.5);
        for (var t = 0; t < 50; t++)
        {
            var epoch = t / StepsPerEpoch;
            Assert.Equal(Math.Pow(0.5, epoch / 3), scheduler.Multiplier(t), 15);
        }
        Assert.Equal(0.125, scheduler.Multiplier(49));
    }

    [Fact]
    public void Step_during_warm_up_is_the_product_of_both()
    {
        var scheduler = Scheduler(LearningRateSchedule.Step, warmup: 4, stepSize: 2, gamma: 0.1);
        Assert.Equal(12 / 20.0 * 0.1, scheduler.Multiplier(11), 15);   // epoch 2, warm-up step 12 of 20
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(2, 0.0)]
    [InlineData(0, 0.1)]
    [InlineData(3, 0.05)]
    public void Cosine_falls_from_one_after_warm_up_to_the_minimum_at_the_last_step(int warmup, double minimum)
    {
        var scheduler = Scheduler(LearningRateSchedule.Cosine, epochs: 10, warmup: warmup, minimum: minimum);
        var total = 50;
        var w = warmup * StepsPerEpoch;
        for (var t = 0; t < total; t++)
        {
            var expected = t < w
                ? (t + 1) / (double)w
                : minimum + (1 - minimum) * (1 + Math.Cos(Math.PI * (t - w) / (total - w - 1))) / 2;
            Assert.Equal(expected, scheduler.Multiplier(t), 14);
        }
        Assert.Equal(1.0, scheduler.Multiplier(w), 15);
        Assert.Equal(minimum, scheduler.Multiplier(total - 1), 14);
    }

    [Fact]
    public void The_last_epoch_records_the_rate_of_its_last_step()
    {
        var data = SyntheticData.Create(LabelKind.Binary, rows: 40, seed: 1);
        var options = new TrainingOptions
        {
            Optimizer = new AdamOptimizerOptions { LearningRate = 0.02 },
            NumberOfEpochs = 4,
            BatchSize = 8,
            NumberOfThreads = 1,
            LearningRateSchedule = LearningRateSchedule.Step,
            StepSize = 1,
            StepGamma = 0.5,
        };

        var result = TrainingLoop.Train(data, null, new MlpNetwork(4, [4], Activation.ReLU, false, 0, 1), options);
        result.Network.Dispose();

        Assert.Equal([0.02, 0.01, 0.005, 0.0025], result.History.Epochs.Select(e => e.LearningRate).ToArray());
    }

    /// <summary>
    /// With ε huge, Adam's step vanishes and a decoupled decay is all that moves the weights, so after
    /// T steps every weight is x₀·∏(1 − d_t): d_t = η_t·λ with schedule scaling (η_t = lr/lr₀, the
    /// schedule's multiplier), d_t = α·η_t·λ with learning-rate scaling. This shows the loop sets
    /// each step's rate before the step, and that the optimizer sees η_t as the multiplier.
    /// </summary>
    [Theory]
    [InlineData(WeightDecayScaling.Schedule)]
    [InlineData(WeightDecayScaling.LearningRate)]
    public void The_schedule_drives_the_optimizer_step_by_step(WeightDecayScaling scaling)
    {
        const double alpha = 0.5, lambda = 0.1;
        var data = SyntheticData.Create(LabelKind.Regression, rows: 40, seed: 1);
        var spec = new MlpNetwork(4, [3], Activation.Tanh, false, 0, 1);
        var options = new TrainingOptions
        {
            Optimizer = new AdamOptimizerOptions
            {
                LearningRate = alpha, Epsilon = 1e30, WeightDecay = lambda, WeightDecayMode = WeightDecayMode.Decoupled, WeightDecayScaling = scaling,
            },
            DecayAllParameters = true,
            NumberOfEpochs = 3,
            BatchSize = 10,
            NumberOfThreads = 1,
            LearningRateSchedule = LearningRateSchedule.Cosine,
            WarmupEpochs = 1,
            MinimumLearningRateFraction = 0.2,
        };
        using var initial = spec.Build(options.Seed);
        var before = Values(initial);

        var result = TrainingLoop.Train(data, null, spec, options);
        using var network = result.Network;
        var after = Values(network);

        var scheduler = new LearningRateScheduler(LearningRateSchedule.Cosine, 3, 4, 1, 10, 0.1, 0.2);
        var factor = 1.0;
        for (var t = 0; t < 12; t++)
            factor *= 1 - (scaling == WeightDecayScaling.Schedule ? 1 : alpha) * scheduler.Multiplier(t) * lambda;
        Assert.True(factor < 0.9);
        for (var i = 0; i < before.Length; i++)
            Assert.True(Math.Abs(after[i] - before[i] * factor) <= 1e-5 * Math.Abs(before[i]) + 1e-12,
                $"weight {i}: {before[i]} → {after[i]}, expected ×{factor}");
    }

    private static double[] Values(torch.nn.Module network) =>
        network.parameters().SelectMany(p => p.data<float>().ToArray()).Select(v => (double)v).ToArray();
}
