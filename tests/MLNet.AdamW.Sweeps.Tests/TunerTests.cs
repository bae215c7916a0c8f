using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit.Abstractions;

namespace MLNet.AdamW.Sweeps.Tests;

public sealed class TunerTests(ITestOutputHelper output)
{
    /// <summary>
    /// Two informative features among 40 of noise and only 160 training rows: a 128-128 network trained 100 epochs
    /// at the default λ fits the noise, so the weight decay matters. The rows are drawn from <paramref name="seed"/>.
    /// </summary>
    private static (IDataView Train, IDataView Test) NoisyData(MLContext ml, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var rows = Enumerable.Range(0, 560).Select(_ =>
        {
            var x = Enumerable.Range(0, 40).Select(_ => (float)Normal()).ToArray();
            return new Row { Features = x, Label = (float)(x[0] + 0.7 * x[1] + 0.5 * Normal()) };
        }).ToList();
        return (ml.Data.LoadFromEnumerable(rows.Take(160)), ml.Data.LoadFromEnumerable(rows.Skip(160)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_tuner_beats_or_equals_the_defaults_on_held_out_data_where_the_weight_decay_matters(int dataSeed)
    {
        var ml = new MLContext(1);
        var (train, test) = NoisyData(ml, dataSeed);
        var tuned = Sweep.Tune(ml, train, options: new TuneOptions<AdamWRegressionTrainer.Options>
        {
            BaseOptions = () => new AdamWRegressionTrainer.Options { Seed = 1 },
            LearningRates = [3e-3, 1e-2],
            WeightDecays = [0, 0.3, 1, 3],
            Seed = 5,
        });
        var defaults = ml.Regression.Trainers.AdamW(new AdamWRegressionTrainer.Options { Seed = 1 }).Fit(train);
        var tunedRmse = ml.Regression.Evaluate(tuned.Model.Transform(test)).RootMeanSquaredError;
        var defaultRmse = ml.Regression.Evaluate(defaults.Transform(test)).RootMeanSquaredError;
        output.WriteLine(LeaderboardExport.ToMarkdown(tuned.Leaderboard));
        output.WriteLine($"test RMSE: tuned {tunedRmse:F4} (α = {tuned.BestOptions.LearningRate}, λ = {tuned.BestOptions.WeightDecay}), defaults {defaultRmse:F4}");

        Assert.True(tunedRmse <= defaultRmse, $"tuned {tunedRmse:F4} > defaults {defaultRmse:F4}");
        // The grid held the defaults' own α and λ (the 2 × 5 cells), and successive halving stopped some trials.
        Assert.Equal(10, tuned.Leaderboard.Trials.Count);
        Assert.Contains(tuned.Leaderboard.Trials, t => t.Numeric("LearningRate") == 1e-2 && t.Numeric("WeightDecay") == 3e-2);
        Assert.Contains(tuned.Leaderboard.Trials, t => t.Status == TrialStatus.Pruned);
        Assert.Equal(tuned.Leaderboard.Best!.Numeric("WeightDecay"), tuned.BestOptions.WeightDecay);
    }

    private sealed class Row
    {
        [VectorType(40)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }
}
