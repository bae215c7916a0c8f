using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Samples;

namespace MLNet.AdamW.Benchmarks;

/// <summary>
/// Quality and fit time of our trainers against ML.NET's on the same train/test splits of the
/// shipped data sets, every trainer with its default options. Not a BenchmarkDotNet benchmark:
/// each fit is timed once after one warm-up fit of the same trainer (JIT, native loading).
/// </summary>
public static class TrainerComparison
{
    private sealed record Contender(string Name, Func<MLContext, IEstimator<ITransformer>> Trainer);

    private sealed record Task(
        string Name, string Metric, bool HigherIsBetter, Func<MLContext, (IDataView Train, IDataView Test)> Split,
        Func<MLContext, IEstimator<ITransformer>> Features, Func<MLContext, IDataView, double> Evaluate, Contender[] Contenders);

    public static void Run(TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"Trainer comparison, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores; every trainer with its defaults; seed 1"));
        output.WriteLine();
        output.WriteLine("| data set (task) | trainer | metric | value | fit time (s) |");
        output.WriteLine("|---|---|---|---:|---:|");
        foreach (var task in Tasks())
        {
            foreach (var contender in task.Contenders)
            {
                var ml = new MLContext(seed: 1);
                var (train, test) = task.Split(ml);
                train = ml.Data.Cache(train);
                var pipeline = task.Features(ml).Append(contender.Trainer(ml));
                pipeline.Fit(train);
                var watch = Stopwatch.StartNew();
                var model = pipeline.Fit(train);
                var seconds = watch.Elapsed.TotalSeconds;
                var value = task.Evaluate(ml, model.Transform(test));
                output.WriteLine(string.Create(c, $"| {task.Name} | {contender.Name} | {task.Metric} | {value:F4} | {seconds:F2} |"));
            }
        }
    }

    private static IEnumerable<Task> Tasks()
    {
        var binaryContenders = new Contender[]
        {
            new("MLNet.AdamW AdamW", ml => ml.BinaryClassification.Trainers.AdamW()),
            new("LbfgsLogisticRegression", ml => ml.BinaryClassification.Trainers.LbfgsLogisticRegression()),
            new("FastTree", ml => ml.BinaryClassification.Trainers.FastTree()),
            new("LightGbm", ml => ml.BinaryClassification.Trainers.LightGbm()),
        };
        yield return new Task("penguins (sex, binary)", "accuracy", true,
            ml => Split(ml, ml.Data.LoadFromEnumerable(Datasets.Penguins().Where(p => p.Sex.Length > 0).ToList())),
            ml => Featurization.PenguinSexFeatures(ml).Append(ml.Transforms.CopyColumns("Label", nameof(Penguin.IsMale))),
            (ml, scored) => ml.BinaryClassification.Evaluate(scored).Accuracy,
            binaryContenders);

        Contender[] Multiclass(bool trees) =>
        [
            new("MLNet.AdamW AdamW", ml => ml.MulticlassClassification.Trainers.AdamW()),
            new("LbfgsMaximumEntropy", ml => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()),
            new("SdcaMaximumEntropy", ml => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()),
            .. trees ? new Contender[] { new("LightGbm", ml => ml.MulticlassClassification.Trainers.LightGbm()) } : [],
        ];
        yield return new Task("penguins (species, multiclass)", "macro accuracy", true,
            ml => Split(ml, ml.Data.LoadFromEnumerable(Datasets.Penguins())),
            ml => ml.Transforms.Conversion.MapValueToKey("Label", nameof(Penguin.Species)).Append(Featurization.PenguinFeatures(ml)),
            (ml, scored) => ml.MulticlassClassification.Evaluate(scored).MacroAccuracy,
            Multiclass(trees: true));
        yield return new Task("Seattle weather (multiclass)", "micro accuracy", true,
            ml => Split(ml, ml.Data.LoadFromEnumerable(Datasets.SeattleWeather())),
            Featurization.WeatherFeatures,
            (ml, scored) => ml.MulticlassClassification.Evaluate(scored).MicroAccuracy,
            Multiclass(trees: true));
        var digits = Datasets.Digits();
        yield return new Task("MNIST 8k/2k (multiclass)", "micro accuracy", true,
            ml =>
            {
                var data = ml.Data.LoadFromEnumerable(digits);
                return (ml.Data.TakeRows(data, 8000), ml.Data.SkipRows(data, 8000));
            },
            // Pixels in [0, 1] as they are: standardizing each pixel blows up the rare ones near the border
            // and costs every model accuracy here (see samples/MulticlassClassification).
            ml => ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.CopyColumns("Features", nameof(Digit.Pixels))),
            (ml, scored) => ml.MulticlassClassification.Evaluate(scored).MicroAccuracy,
            Multiclass(trees: true));
        yield return new Task("cars (mpg, regression)", "RMSE (mpg)", false,
            // Eight cars have no known mileage: leave them out of both splits so every trainer and the evaluator see the same rows.
            ml => Split(ml, ml.Data.FilterRowsByMissingValues(ml.Data.LoadFromEnumerable(Datasets.Cars()), nameof(Car.MilesPerGallon))),
            Featurization.CarFeatures,
            (ml, scored) => ml.Regression.Evaluate(scored).RootMeanSquaredError,
            [
                new("MLNet.AdamW AdamW", ml => ml.Regression.Trainers.AdamW()),
                new("Sdca", ml => ml.Regression.Trainers.Sdca()),
                new("FastTree", ml => ml.Regression.Trainers.FastTree()),
                new("LightGbm", ml => ml.Regression.Trainers.LightGbm()),
            ]);
    }

    private static (IDataView, IDataView) Split(MLContext ml, IDataView data)
    {
        var split = ml.Data.TrainTestSplit(data, 0.25, seed: 1);
        return (split.TrainSet, split.TestSet);
    }
}
