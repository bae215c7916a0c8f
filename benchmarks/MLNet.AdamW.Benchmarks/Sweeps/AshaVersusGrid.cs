using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using MLNet.AdamW.Benchmarks.DefaultsSuite;
using MLNet.AdamW.Sweeps;

namespace MLNet.AdamW.Benchmarks.Sweeps;

/// <summary>
/// Successive halving against the full grid on the same search space: the tuner's α × λ grid (4 × 7 cells) over
/// the trainers' default options, on the training split of a defaults-suite set, each trial measured on a 20 %
/// holdout of it. Reports the best holdout metric each found, the refit best's metric on the test split, the
/// epochs trained by all trials and the wall time. Command line (after <c>asha</c>): <c>--sets a,b</c>
/// (default: the shipped sets but MNIST), <c>--out FILE</c>.
/// </summary>
public static class AshaVersusGrid
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Runs the comparison and writes the Markdown.</summary>
    public static void Run(string[] args)
    {
        string? outPath = null;
        string[] names = ["penguins-sex", "penguins-species", "cars", "seattle-weather"];
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out": outPath = args[++i]; break;
                case "--sets": names = args[++i].Split(','); break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. Use --sets a,b and --out FILE.");
            }
        }
        TorchSharp.torch.set_num_threads(1);
        SuiteDataSet.ExportShipped();
        var text = new StringBuilder();
        text.AppendLine(string.Create(C, $"ASHA vs the full grid, {DateTime.UtcNow:yyyy-MM-dd}: α ∈ {{1e-3, 3e-3, 1e-2, 3e-2}} × λ ∈ {{0, 1e-3, 1e-2, 3e-2, 0.1, 0.3, 1}}, the trainers' defaults otherwise, study seed 1, one worker, {Environment.ProcessorCount} shared cores."));
        text.AppendLine();
        text.AppendLine("| data set | metric | strategy | best on the holdout (α, λ) | refit best on the test split | trials (complete / pruned) | epochs trained | time |");
        text.AppendLine("|---|---|---|---:|---:|---|---:|---:|");
        foreach (var name in names)
        {
            var set = SuiteDataSet.All.FirstOrDefault(s => s.Name == name)
                ?? throw new ArgumentException($"Unknown data set '{name}'; known: {string.Join(", ", SuiteDataSet.All.Select(s => s.Name))}.");
            var table = SuiteTable.Open(set);
            foreach (var asha in new[] { false, true })
            {
                var row = set.Task switch
                {
                    SuiteTask.Binary => Compare<AdamWBinaryTrainer.Options>(set, table, asha),
                    SuiteTask.Multiclass => Compare<AdamWMulticlassTrainer.Options>(set, table, asha),
                    _ => Compare<AdamWRegressionTrainer.Options>(set, table, asha),
                };
                Console.Error.WriteLine(row);
                text.AppendLine(row);
            }
        }
        if (outPath is null)
            Console.Write(text);
        else
            File.WriteAllText(outPath, text.ToString());
    }

    private static string Compare<TOptions>(SuiteDataSet set, SuiteTable table, bool asha)
        where TOptions : AdamWTrainerOptions, new()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = table.Split(ml);
        train = ml.Data.Cache(train);
        var epochs = new TOptions().NumberOfEpochs;
        var space = new SearchSpace<TOptions>()
            .Grid(o => o.LearningRate, 1e-3, 3e-3, 1e-2, 3e-2)
            .Grid(o => o.WeightDecay, 0, 1e-3, 1e-2, 3e-2, 0.1, 0.3, 1);
        var metric = set.Task switch { SuiteTask.Binary => "auc", SuiteTask.Multiclass => "macro-accuracy", _ => "rmse" };
        var objective = new SweepObjective<TOptions>(ml, train, SweepMetric.Parse(metric, TaskOf(set.Task)), table.Featurize(ml), SweepEvaluation.Holdout(0.2));
        SweepStrategy strategy = asha ? SweepStrategy.Asha(Math.Max(1, epochs / 9), 3, epochs, overGrid: true) : SweepStrategy.Grid();
        using var store = new InMemoryStudyStore();
        var watch = Stopwatch.StartNew();
        var study = Study.CreateOrOpen(store, set.Name, space, objective, strategy, seed: 1);
        study.Run(28);
        var seconds = watch.Elapsed.TotalSeconds;
        var result = study.GetResult();
        var best = study.BestOptions();
        var scored = study.RefitBest().Transform(test);
        var testMetric = set.Task switch
        {
            SuiteTask.Binary => ml.BinaryClassification.EvaluateNonCalibrated(scored).AreaUnderRocCurve,
            SuiteTask.Multiclass => ml.MulticlassClassification.Evaluate(scored).MacroAccuracy,
            _ => ml.Regression.Evaluate(scored).RootMeanSquaredError,
        };
        var name = asha ? string.Create(C, $"ASHA (r = {Math.Max(1, epochs / 9)}, η = 3, max {epochs})") : string.Create(C, $"grid ({epochs} epochs each)");
        return string.Create(C,
            $"| {set.Name} | {result.Metric} | {name} | {result.Best!.Value:F4} ({best.LearningRate:G3}, {best.WeightDecay:G3}) | {testMetric:F4} | {result.Trials.Count} ({result.Count(TrialStatus.Complete)} / {result.Count(TrialStatus.Pruned)}) | {result.EpochsTrained:N0} | {seconds:F1} s |");
    }

    private static Training.TrainingTask TaskOf(SuiteTask task) => task switch
    {
        SuiteTask.Binary => Training.TrainingTask.BinaryClassification,
        SuiteTask.Multiclass => Training.TrainingTask.MulticlassClassification,
        _ => Training.TrainingTask.Regression,
    };
}
