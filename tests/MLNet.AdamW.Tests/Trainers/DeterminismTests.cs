using Microsoft.ML;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>Fit is a function of the seed: the MLContext's seed, or the Seed option when set.</summary>
public sealed class DeterminismTests
{
    private sealed record Run(double LogLoss, double MacroAccuracy, List<int> WeightBits, List<string> Scores, double[] Losses);

    [Fact]
    public void The_same_context_seed_gives_identical_metrics_weights_and_scores_and_another_one_does_not()
    {
        var a = Train(contextSeed: 5, seed: null);
        var b = Train(contextSeed: 5, seed: null);
        Assert.Equal(a.LogLoss, b.LogLoss);
        Assert.Equal(a.MacroAccuracy, b.MacroAccuracy);
        Assert.Equal(a.WeightBits, b.WeightBits);
        Assert.Equal(a.Scores, b.Scores);
        Assert.Equal(a.Losses, b.Losses);

        var c = Train(contextSeed: 6, seed: null);
        Assert.NotEqual(a.WeightBits, c.WeightBits);
        Assert.NotEqual(a.Scores, c.Scores);
    }

    [Fact]
    public void The_Seed_option_decides_over_the_context_seed()
    {
        var a = Train(contextSeed: 5, seed: 11);
        var b = Train(contextSeed: 6, seed: 11);
        Assert.Equal(a.WeightBits, b.WeightBits);
        Assert.Equal(a.Scores, b.Scores);
        Assert.Equal(a.LogLoss, b.LogLoss);

        var c = Train(contextSeed: 5, seed: 12);
        Assert.NotEqual(a.WeightBits, c.WeightBits);
        Assert.NotEqual(a.Scores, c.Scores);
        Assert.NotEqual(a.Losses, c.Losses);
    }

    /// <summary>Multiclass penguins with shuffling and dropout, so every source of randomness is in play.</summary>
    private static Run Train(int contextSeed, int? seed)
    {
        var ml = new MLContext(seed: contextSeed);
        var data = TrainerData.PenguinSpecies(ml);
        var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 8);
        options.Seed = seed;
        ((MlpNetworkOptions)options.Network).Dropout = 0.2;
        options.ValidationFraction = 0.2;
        var model = ml.MulticlassClassification.Trainers.AdamW(options).Fit(data);
        var scored = model.Transform(data);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        var weights = model.Model.ContentForWarmStart.Tensors
            .SelectMany(t => t.Values)
            .Select(BitConverter.SingleToInt32Bits)
            .ToList();
        var losses = model.Model.History.Epochs.SelectMany(e => new[] { e.TrainLoss, e.ValidationLoss!.Value }).ToArray();
        return new Run(metrics.LogLoss, metrics.MacroAccuracy, weights, TrainerData.Values(scored, "Score"), losses);
    }
}
