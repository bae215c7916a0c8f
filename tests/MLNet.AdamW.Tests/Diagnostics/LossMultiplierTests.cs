using Microsoft.ML;
using MLNet.AdamW.Data;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Tests.Trainers;
using MLNet.AdamW.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Diagnostics;

/// <summary>
/// Scale-freeness through the training loop, on a ResNet (depth 8, width 4, 1×8×8 inputs, 3 epochs of 4
/// minibatches): with ε → 0, multiplying the loss by c leaves AdamW's and AdamProx's iterates unchanged and
/// moves Adam-ℓ2's.
/// </summary>
/// <remarks>
/// The parameters are Float32 (the loop's data type). ε = 1e-30 is far below the float32 ulp of √v̂ for any
/// coordinate with a gradient, so it changes nothing except 0/0 for a coordinate without one. For c a power
/// of two every gradient, moment and step is exactly c (or c²) times the unscaled one and the ratio is exact,
/// so the iterates agree to the bit; for other c, rounding differs in the last place, and after 12 steps the
/// two runs differ by at most 1e-5 of the weights' largest magnitude (measured: 0.9–1.7e-7), while Adam-ℓ2's
/// move by more than 1e-2 of it (measured: 0.11 with BN, 0.15 without, at c = 100).
/// </remarks>
public sealed class LossMultiplierTests
{
    private const double Epsilon = 1e-30;

    private static TabularData Images()
    {
        var random = new Random(11);
        var x = new float[64 * 64];
        var y = new float[64];
        for (var r = 0; r < 64; r++)
        {
            y[r] = r % 2;
            for (var i = 0; i < 64; i++)
                x[r * 64 + i] = (float)(random.NextDouble() - 0.5 + (r % 2 == 1 && i / 8 < 4 ? 0.5 : 0));
        }
        return TabularData.FromArrays(LabelKind.Multiclass, x, y, 64, 2, null);
    }

    private static float[] Train(WeightDecayMode mode, bool batchNorm, double lossScale)
    {
        var options = new TrainingOptions
        {
            Optimizer = new AdamOptimizerOptions
            {
                LearningRate = 1e-2,
                Epsilon = Epsilon,
                WeightDecayMode = mode,
                // λ as the paper's grids have it for each mode: Adam-ℓ2's penalty λ·x is then comparable to the gradients.
                WeightDecay = mode == WeightDecayMode.L2 ? 5e-3 : 5e-2,
            },
            NumberOfEpochs = 3,
            BatchSize = 16,
            Seed = 2,
            NumberOfThreads = 1,
            LossScale = lossScale,
        };
        var result = TrainingLoop.Train(Images(), null, new ResNetNetwork(new ImageShape(1, 8, 8), 8, 4, batchNorm, projectionShortcuts: false, 2), options);
        using var network = result.Network;
        return network.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
    }

    private static double RelativeDifference(float[] a, float[] b) =>
        a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max() / a.Max(x => Math.Abs((double)x));

    public static TheoryData<WeightDecayMode, bool> ScaleFree() => new()
    {
        { WeightDecayMode.Decoupled, false }, { WeightDecayMode.Decoupled, true },
        { WeightDecayMode.Proximal, false }, { WeightDecayMode.Proximal, true },
    };

    [Theory]
    [MemberData(nameof(ScaleFree))]
    public void AdamW_and_AdamProx_take_the_same_steps_under_a_loss_multiplied_by_a_power_of_two(WeightDecayMode mode, bool batchNorm)
    {
        var plain = Train(mode, batchNorm, 1);

        Assert.Equal(plain, Train(mode, batchNorm, 1024));
    }

    [Theory]
    [MemberData(nameof(ScaleFree))]
    public void AdamW_and_AdamProx_iterates_barely_move_under_a_loss_multiplied_by_100(WeightDecayMode mode, bool batchNorm)
    {
        var difference = RelativeDifference(Train(mode, batchNorm, 1), Train(mode, batchNorm, 100));

        Assert.True(difference <= 1e-5, $"{mode}, batch norm {batchNorm}: loss × 100 moved the weights by {difference:E3} of their largest magnitude");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Adam_L2_iterates_move_under_a_multiplied_loss(bool batchNorm)
    {
        var plain = Train(WeightDecayMode.L2, batchNorm, 1);

        foreach (var c in new[] { 100.0, 1024.0 })
        {
            var difference = RelativeDifference(plain, Train(WeightDecayMode.L2, batchNorm, c));
            Assert.True(difference > 1e-2, $"Adam-ℓ2, batch norm {batchNorm}: loss × {c} moved the weights by only {difference:E3}");
        }
    }

    [Fact]
    public void The_trainers_LossMultiplier_scales_the_gradients_and_not_the_reported_loss()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        AdamWMulticlassTrainer.Options Options(WeightDecayMode mode, double c)
        {
            var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 3);
            options.Epsilon = Epsilon;
            options.WeightDecayMode = mode;
            options.LossMultiplier = c;
            return options;
        }
        float[] Weights(AdamWMulticlassTrainer.Options options, out double loss)
        {
            var model = ml.MulticlassClassification.Trainers.AdamW(options).Fit(data).Model;
            loss = model.History.Epochs[^1].TrainLoss;
            return [.. model.ContentForWarmStart.Tensors.SelectMany(t => t.Values)];
        }

        var adamW = Weights(Options(WeightDecayMode.Decoupled, 1), out var loss);
        var adamWScaled = Weights(Options(WeightDecayMode.Decoupled, 256), out var scaledLoss);
        Assert.Equal(adamW, adamWScaled);
        Assert.Equal(loss, scaledLoss);
        Assert.NotEqual(Weights(Options(WeightDecayMode.L2, 1), out _), Weights(Options(WeightDecayMode.L2, 256), out _));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_loss_multiplier_that_is_not_finite_and_positive_fails_naming_the_option(double c)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AdamWRegressionTrainer.Options { LossMultiplier = c }.Validate());

        Assert.Equal(nameof(AdamWTrainerOptions.LossMultiplier), e.ParamName);
        Assert.Contains("LossMultiplier must be a finite number greater than 0", e.Message, StringComparison.Ordinal);
    }
}
