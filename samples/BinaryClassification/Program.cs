using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW;
using MLNet.AdamW.Samples;

namespace BinaryClassification;

/// <summary>
/// Penguin sex from the four measurements and the species: the same network, data and seed trained
/// with each weight-decay mode, Adam-ℓ2 (L2), AdamW (Decoupled) and AdamProx (Proximal); first each
/// at a λ typical for it, then all three over one grid of λ, which means something different in each.
/// </summary>
internal static class Program
{
    private const double LearningRate = 1e-2;

    private static readonly string[] Measurements =
        [nameof(Penguin.BeakLength), nameof(Penguin.BeakDepth), nameof(Penguin.FlipperLength), nameof(Penguin.BodyMass)];

    private static readonly (WeightDecayMode Mode, string Name)[] Modes =
        [(WeightDecayMode.L2, "Adam-ℓ2"), (WeightDecayMode.Decoupled, "AdamW"), (WeightDecayMode.Proximal, "AdamProx")];

    public static void Main()
    {
        Console.OutputEncoding = Encoding.UTF8;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();
        var mlContext = new MLContext(seed: 1);

        // The sex of 11 penguins is unknown; they cannot be labelled, so they are left out.
        var penguins = Datasets.Penguins().Where(p => p.Sex.Length > 0).ToList();
        var split = mlContext.Data.TrainTestSplit(mlContext.Data.LoadFromEnumerable(penguins), testFraction: 0.25, seed: 1);

        // Species matters (a male Adelie is lighter than a female Gentoo), so it enters one-hot.
        var features = mlContext.Transforms.Conversion.MapValueToKey("SpeciesKey", nameof(Penguin.Species))
            .Append(mlContext.Transforms.Categorical.OneHotEncoding("SpeciesOneHot", "SpeciesKey"))
            .Append(mlContext.Transforms.ReplaceMissingValues(Measurements.Select(c => new InputOutputColumnPair(c)).ToArray()))
            .Append(mlContext.Transforms.Concatenate("Features", [.. Measurements, "SpeciesOneHot"]))
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"));

        // Featurize once; every run below trains on the same rows.
        var featurizer = features.Fit(split.TrainSet);
        var train = featurizer.Transform(split.TrainSet);
        var test = featurizer.Transform(split.TestSet);

        Console.WriteLine($"Penguin sex: {penguins.Count} penguins of known sex ({penguins.Count(p => p.IsMale)} male), a quarter held out for testing.");
        Console.WriteLine("Network 7-64-64-1 (ReLU), α = 1e-2 with a cosine schedule, 50 epochs of 32, seed 1 for every run.");
        Console.WriteLine();
        Console.WriteLine("Each mode at a λ typical for it, and AdamW's λ translated to the paper's (schedule) scaling:");
        Console.WriteLine($"{"mode",-10}  {"name",-9}  {"scaling",-13}  {"λ",6}  {"accuracy",9}  {"AUC",6}  {"F1",6}  {"train loss",11}");
        foreach (var (mode, name, scaling, weightDecay) in new[]
        {
            (WeightDecayMode.L2, "Adam-ℓ2", WeightDecayScaling.LearningRate, 1e-4),
            (WeightDecayMode.Decoupled, "AdamW", WeightDecayScaling.LearningRate, 1e-2),
            (WeightDecayMode.Proximal, "AdamProx", WeightDecayScaling.LearningRate, 1e-2),
            (WeightDecayMode.Decoupled, "AdamW", WeightDecayScaling.Schedule, LearningRate * 1e-2), // λ_schedule = α·λ_lr: the same run
        })
        {
            var (metrics, trainLoss) = Train(mlContext, train, test, mode, weightDecay, scaling);
            var scalingText = mode == WeightDecayMode.L2 ? "(none for L2)" : scaling.ToString();
            Console.WriteLine($"{mode,-10}  {name,-9}  {scalingText,-13}  {Lambda(weightDecay),6}  {metrics.Accuracy,9:P2}  {metrics.AreaUnderRocCurve,6:F4}  {metrics.F1Score,6:F4}  {trainLoss,11:F4}");
        }

        // λ is added to the gradient by Adam-ℓ2 (so Adam's normalization divides it by √v̂), but
        // shrinks the weights by d = α·λ per step in AdamW and AdamProx: one number, two meanings.
        Console.WriteLine();
        Console.WriteLine("The same λ in each mode (learning-rate scaling; test accuracy / AUC); d = α·λ is AdamW's and AdamProx's shrink per step:");
        Console.WriteLine("     λ        d          Adam-ℓ2               AdamW            AdamProx");
        foreach (var weightDecay in new[] { 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100 })
        {
            var line = new StringBuilder($"{Lambda(weightDecay),6}  {Lambda(LearningRate * weightDecay),7}");
            foreach (var (mode, _) in Modes)
            {
                try
                {
                    var (metrics, _) = Train(mlContext, train, test, mode, weightDecay);
                    line.Append(CultureInfo.InvariantCulture, $"  {metrics.Accuracy,8:P1} / {metrics.AreaUnderRocCurve:F3}");
                }
                catch (ArgumentOutOfRangeException)
                {
                    // A decoupled step with d ≥ 1 would zero or flip every weight; the trainer refuses it.
                    line.Append("    refused (d ≥ 1)");
                }
            }
            Console.WriteLine(line);
        }
        Console.WriteLine();
        Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s.");
    }

    private static (CalibratedBinaryClassificationMetrics Metrics, double TrainLoss) Train(
        MLContext mlContext, IDataView train, IDataView test, WeightDecayMode mode, double weightDecay,
        WeightDecayScaling scaling = WeightDecayScaling.LearningRate)
    {
        var trainer = mlContext.BinaryClassification.Trainers.AdamW(new AdamWBinaryTrainer.Options
        {
            LabelColumnName = nameof(Penguin.IsMale),
            LearningRate = LearningRate,
            WeightDecayMode = mode,
            WeightDecay = weightDecay,
            WeightDecayScaling = scaling,
            Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }, // the network and run length this sample compares the modes on
            NumberOfEpochs = 50,     // (the defaults are 128-128 and 20 epochs for binary)
            Seed = 1,            // the same initial weights and minibatch order for every run
            NumberOfThreads = 1, // small matrices: one libtorch thread is fastest
        });
        var model = trainer.Fit(train);
        var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(test), labelColumnName: nameof(Penguin.IsMale));
        return (metrics, model.Model.History.Epochs[^1].TrainLoss);
    }

    /// <summary>1e-4, 0.01 → 1e-2, 1, 10: as λ is usually written.</summary>
    private static string Lambda(double value) =>
        value.ToString(value >= 1 ? "0" : "0.#e0", CultureInfo.InvariantCulture);
}
