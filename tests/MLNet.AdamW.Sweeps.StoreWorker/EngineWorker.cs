using Microsoft.ML;
using MLNet.AdamW;
using MLNet.AdamW.Samples;
using MLNet.AdamW.Sweeps;
using MLNet.AdamW.Training;

/// <summary>
/// A small real sweep with the sweep engine: a 4 × 2 grid of learning rate × weight decay on the shipped
/// penguins (a 64-64 network, 30 epochs, holdout), one libtorch thread. Prints "started" once the study
/// is open, "finished &lt;number&gt; &lt;attempt&gt;" per trial it finished, then "done".
/// </summary>
internal static class EngineWorker
{
    public const string Study = "engine-sweep";

    public static int Run(string storage, int trials, string worker, TimeSpan staleAfter)
    {
        TorchSharp.torch.set_num_threads(1);
        var ml = new MLContext(1);
        var objective = new SweepObjective<AdamWMulticlassTrainer.Options>(ml, ml.Data.LoadFromEnumerable(Datasets.Penguins()),
            SweepMetric.Parse("macro-accuracy", TrainingTask.MulticlassClassification),
            Featurization.PenguinFeatures(ml).Append(ml.Transforms.Conversion.MapValueToKey("Label", nameof(Penguin.Species))),
            SweepEvaluation.Holdout(0.3));
        var space = new SearchSpace<AdamWMulticlassTrainer.Options>(() => new()
        {
            Network = new MlpNetworkOptions { HiddenLayers = [64, 64] },
            NumberOfEpochs = 30,
            BatchSize = 16,
            NumberOfThreads = 1,
        }).Grid(o => o.LearningRate, 1e-3, 3e-3, 1e-2, 3e-2).Grid(o => o.WeightDecay, 0.0, 0.1);
        using var store = StudyStore.Open(storage);
        var study = MLNet.AdamW.Sweeps.Study.CreateOrOpen(store, Study, space, objective, SweepStrategy.Grid(), seed: 11);
        Say("started");
        study.Run(trials, new StudyRunOptions
        {
            Worker = worker,
            HeartbeatInterval = staleAfter / 4,
            StaleAfter = staleAfter,
            Progress = new Printer(),
        });
        Say("done");
        return 0;
    }

    private static void Say(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }

    // Progress<T> would post to the thread pool: the line could come after a kill that followed the finish.
    private sealed class Printer : IProgress<TrialRecord>
    {
        public void Report(TrialRecord value) => Say($"finished {value.Number} {value.Attempt}");
    }
}
