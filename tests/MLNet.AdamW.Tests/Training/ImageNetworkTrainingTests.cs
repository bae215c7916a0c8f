using MLNet.AdamW.Data;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Tests.Training;

/// <summary>The training loop trains the convolutional networks as it trains the MLP (1×8×8 images, a few epochs).</summary>
public sealed class ImageNetworkTrainingTests
{
    private static readonly ImageShape Image = new(1, 8, 8);

    /// <summary>
    /// Class 0: a horizontal bar of ones in a random row; class 1: a vertical bar in a random column;
    /// plus Gaussian noise of σ = 0.3. For regression the label is the bar's position (0–7).
    /// </summary>
    private static TabularData Bars(LabelKind kind, int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * 64];
        var y = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var vertical = r % 2 == 1;
            var position = random.Next(8);
            for (var i = 0; i < 64; i++)
            {
                var (row, column) = (i / 8, i % 8);
                var on = vertical ? column == position : row == position;
                x[r * 64 + i] = (on ? 1f : 0f) + (float)(0.3 * (random.NextDouble() * 2 - 1));
            }
            y[r] = kind == LabelKind.Regression ? position : vertical ? 1 : 0;
        }
        return TabularData.FromArrays(kind, x, y, 64, kind == LabelKind.Multiclass ? 2 : 0, null);
    }

    private static TrainingOptions Options(int epochs) => new()
    {
        Optimizer = new AdamOptimizerOptions { LearningRate = 1e-2, WeightDecay = 1e-4, WeightDecayMode = WeightDecayMode.Decoupled },
        NumberOfEpochs = epochs,
        BatchSize = 16,
        Seed = 3,
        NumberOfThreads = 1,
        LearningRateSchedule = LearningRateSchedule.Constant,
    };

    public static TheoryData<string, bool> Networks() => new()
    {
        { "cnn", true }, { "cnn", false }, { "resnet", true }, { "resnet", false },
    };

    private static NetworkDefinition Define(string network, bool batchNorm, int outputs) => network == "cnn"
        ? new ConvNetNetwork(Image, [4, 8], batchNorm, outputs)
        : new ResNetNetwork(Image, 8, 4, batchNorm, projectionShortcuts: false, outputs);

    [Theory]
    [MemberData(nameof(Networks))]
    public void Tells_horizontal_from_vertical_bars(string network, bool batchNorm)
    {
        var train = Bars(LabelKind.Multiclass, 128, seed: 1);
        var validation = Bars(LabelKind.Multiclass, 64, seed: 2);
        var result = TrainingLoop.Train(train, validation, Define(network, batchNorm, 2), Options(epochs: 6));
        using var trained = result.Network;
        var last = result.History.Epochs[^1];
        Assert.True(last.ValidationAccuracy >= 0.95, $"{network}, batch norm {batchNorm}: validation accuracy {last.ValidationAccuracy}");
        Assert.False(trained.training);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Learns_a_regression_label_and_trains_identically_for_a_seed(string network, bool batchNorm)
    {
        var train = Bars(LabelKind.Regression, 64, seed: 1);
        var definition = Define(network, batchNorm, 1);
        var first = TrainingLoop.Train(train, null, definition, Options(epochs: 4) with { StandardizeLabels = true });
        var second = TrainingLoop.Train(train, null, definition, Options(epochs: 4) with { StandardizeLabels = true });
        using var a = first.Network;
        using var b = second.Network;
        var epochs = first.History.Epochs;
        Assert.True(epochs[^1].TrainLoss < epochs[0].TrainLoss, $"{network}: train loss {epochs[0].TrainLoss} → {epochs[^1].TrainLoss}");
        Assert.Equal(NetworkDefinition.SaveWeights(a), NetworkDefinition.SaveWeights(b));
    }
}
