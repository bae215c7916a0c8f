using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW;
using MLNet.AdamW.Samples;
using MLNet.AdamW.Training;

namespace QuickStart;

/// <summary>
/// Penguin species from beak, flipper, body mass and island: an ML.NET pipeline ending in the AdamW
/// trainer, evaluated on a held-out quarter, saved, loaded into a new MLContext and used to predict.
/// </summary>
internal static class Program
{
    private static readonly string[] Measurements =
        [nameof(Penguin.BeakLength), nameof(Penguin.BeakDepth), nameof(Penguin.FlipperLength), nameof(Penguin.BodyMass)];

    public static void Main()
    {
        Console.OutputEncoding = Encoding.UTF8;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();

        // A seed makes the split, the initial weights and the minibatch order repeatable.
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Datasets.Penguins());
        var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.25, seed: 1);

        // Where training is, as one console line that updates itself.
        var progress = new ProgressLine();

        // The label becomes a key; missing measurements get the column mean; the island is one-hot;
        // everything is standardized (mean 0, variance 1), which the trainer's defaults assume.
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label", nameof(Penguin.Species))
            .Append(mlContext.Transforms.ReplaceMissingValues(Measurements.Select(c => new InputOutputColumnPair(c)).ToArray()))
            .Append(mlContext.Transforms.Categorical.OneHotEncoding("IslandOneHot", nameof(Penguin.Island)))
            .Append(mlContext.Transforms.Concatenate("Features", [.. Measurements, "IslandOneHot"]))
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.MulticlassClassification.Trainers.AdamW(new AdamWMulticlassTrainer.Options
            {
                WeightDecayMode = WeightDecayMode.Decoupled, // AdamW (the default); L2 = Adam-ℓ2, Proximal = AdamProx
                LearningRate = 1e-2,                         // the default
                WeightDecay = 1e-2,                          // default 3e-2
                NumberOfEpochs = 30,                         // default 100 for multiclass; a 128-128 ReLU network by default
                ValidationFraction = 0.2,                    // hold out a fifth: validation loss and accuracy per epoch
                NumberOfThreads = 1,                         // small matrices: one libtorch thread is fastest
                Progress = progress,                         // at most once a second and after every epoch
            }))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"));

        Console.WriteLine($"Penguin species: {Count(mlContext, split.TrainSet)} penguins to train (the trainer holds out a fifth of them to validate), {Count(mlContext, split.TestSet)} to test.");
        var model = pipeline.Fit(split.TrainSet);
        progress.Finish();

        // The fitted chain holds ML.NET's prediction transformer; its Model is the trained network.
        var trained = model.OfType<MulticlassPredictionTransformer<AdamWMulticlassModelParameters>>().Single().Model;
        Console.WriteLine();
        Console.WriteLine($"Network:   {trained.NetworkDescription}");
        Console.WriteLine($"Optimizer: {trained.OptimizerDescription}");
        Console.WriteLine();
        Console.Write(trained.History);

        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
        Console.WriteLine();
        Console.WriteLine("Test set:");
        Console.WriteLine($"  macro accuracy {metrics.MacroAccuracy:P2}, micro accuracy {metrics.MicroAccuracy:P2}, log-loss {metrics.LogLoss:F4}");
        Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

        // Save the whole pipeline (featurization and network) with its input schema ...
        var path = Path.Combine(Path.GetTempPath(), "mlnet-adamw-quickstart-penguins.zip");
        mlContext.Model.Save(model, data.Schema, path);
        Console.WriteLine($"Saved the model ({new FileInfo(path).Length / 1024} KB) to {Path.GetFileName(path)} in the temp folder.");

        // ... and load it where it is used: a new MLContext, nothing to register.
        var scoringContext = new MLContext();
        var loaded = scoringContext.Model.Load(path, out _);
        var engine = scoringContext.Model.CreatePredictionEngine<Penguin, SpeciesPrediction>(loaded);
        var loadedHistory = ((TransformerChain<ITransformer>)loaded).OfType<MulticlassPredictionTransformer<AdamWMulticlassModelParameters>>().Single().Model.History;
        var identical = model.Transform(split.TestSet).GetColumn<float[]>("Score")
            .Zip(loaded.Transform(split.TestSet).GetColumn<float[]>("Score"), (a, b) => a.SequenceEqual(b)).All(same => same);
        Console.WriteLine($"Loaded it into a new MLContext: history of {loadedHistory.Epochs.Count} epochs, test scores identical to the trained model's: {(identical ? "yes" : "NO")}.");
        Console.WriteLine("Predictions of the loaded copy for a few test penguins:");
        Console.WriteLine();
        Console.WriteLine("island      beak (mm)   flipper (mm)  mass (g)  species     predicted   probability");
        var examples = mlContext.Data.CreateEnumerable<Penguin>(split.TestSet, reuseRowObject: false)
            .GroupBy(p => p.Species).SelectMany(g => g.Take(2));
        foreach (var penguin in examples)
        {
            var prediction = engine.Predict(penguin);
            Console.WriteLine($"{penguin.Island,-10}  {penguin.BeakLength,4:F1} × {penguin.BeakDepth,4:F1}  {penguin.FlipperLength,12:F0}  {penguin.BodyMass,8:F0}  " +
                $"{penguin.Species,-10}  {prediction.PredictedSpecies,-10}  {prediction.Score.Max(),11:P1}");
        }
        File.Delete(path);
        Console.WriteLine();
        Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F1} s.");
    }

    private static long Count(MLContext mlContext, IDataView data) =>
        mlContext.Data.CreateEnumerable<Penguin>(data, reuseRowObject: true).LongCount();
}

/// <summary>
/// Training progress as one console line, rewritten in place on a terminal; where the output is
/// redirected (a file, a pipe), only the last report is written, once.
/// </summary>
/// <remarks>It implements <see cref="IProgress{T}"/> itself, so each report is written on the training
/// thread, in order; <see cref="Progress{T}"/> would post them to the thread pool.</remarks>
internal sealed class ProgressLine : IProgress<TrainingProgress>
{
    private TrainingProgress? _last;

    public void Report(TrainingProgress value)
    {
        _last = value;
        if (!Console.IsOutputRedirected)
            Console.Write($"\rTraining: {value.Fraction,4:P0}  epoch {value.Epoch}/{value.NumberOfEpochs}  loss {value.Loss:F4}  {value.Elapsed.TotalSeconds:F1} s, about {value.EstimatedRemaining.TotalSeconds:F1} s left   ");
    }

    public void Finish()
    {
        if (_last is not { } last)
            return;
        if (Console.IsOutputRedirected)
            Console.Write($"Training: {last.Fraction:P0}, {last.Epoch} epochs of {last.MinibatchesPerEpoch} minibatches, last epoch's loss {last.Loss:F4}");
        Console.WriteLine();
    }
}

/// <summary>What the loaded pipeline predicts for one penguin.</summary>
internal sealed class SpeciesPrediction
{
    public string PredictedSpecies { get; set; } = "";

    /// <summary>The probability of each species, in the order of the label's key values.</summary>
    public float[] Score { get; set; } = [];
}
