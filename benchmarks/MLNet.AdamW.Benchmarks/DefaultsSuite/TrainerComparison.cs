using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Sweeps;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Benchmarks.DefaultsSuite;

/// <summary>
/// The defaults suite: every trainer of the comparison table, with its default options, on every
/// data set of <see cref="SuiteDataSet.All"/>, same featurization (<see cref="SuiteTable"/>) and split;
/// ours with three seeds. Writes a Markdown table. Not a BenchmarkDotNet benchmark: each pipeline is
/// fitted once (after one warm-up fit of each trainer on the first set), so fit times are indicative.
/// </summary>
/// <remarks>
/// <para>Command line (after <c>compare</c>): <c>--out FILE</c> (default: the console),
/// <c>--sets a,b,...</c> (default: all), <c>--candidate NAME</c> (ours with one of
/// <see cref="Candidates"/> instead of the defaults), <c>--ours-only</c> (reuse the baselines that a
/// full run saved in the cache folder), <c>--tuned MINUTES</c> (add a "tuned" column: <see cref="Sweep.Tune{TOptions}"/>
/// on the training split, at most that many minutes per set, measured on the same test split).</para>
/// </remarks>
public static class TrainerComparison
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly int[] Seeds = [1, 2, 3];
    private static readonly string[] LinearColumns = ["lbfgs", "sdca"];

    /// <summary>
    /// Candidate defaults tried on the suite (see benchmarks/README.md); "defaults" changes nothing,
    /// "old" is the defaults before the suite (64-64, λ = 1e-2, 50 epochs). Each sets what it varies
    /// and the values it was measured with, so it stays reproducible when the defaults change.
    /// </summary>
    public static IReadOnlyDictionary<string, Action<AdamWTrainerOptions>> Candidates { get; } = new Dictionary<string, Action<AdamWTrainerOptions>>
    {
        ["defaults"] = _ => { },
        ["old"] = o => { o.NumberOfEpochs = 50; o.WeightDecay = 1e-2; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; },
        ["e20"] = o => { o.NumberOfEpochs = 20; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; o.WeightDecay = 1e-2; },
        ["e20-l0.1"] = o => { o.NumberOfEpochs = 20; o.WeightDecay = 0.1; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; },
        ["e50-l0.1"] = o => { o.NumberOfEpochs = 50; o.WeightDecay = 0.1; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; },
        ["val10-p5"] = o => { o.NumberOfEpochs = 50; o.ValidationFraction = 0.1; o.EarlyStoppingPatience = 5; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; o.WeightDecay = 1e-2; },
        ["val10-p5-l0.1"] = o => { o.NumberOfEpochs = 50; o.WeightDecay = 0.1; o.ValidationFraction = 0.1; o.EarlyStoppingPatience = 5; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; },
        ["val10-p5-lr3e-3"] = o => { o.NumberOfEpochs = 50; o.LearningRate = 3e-3; o.ValidationFraction = 0.1; o.EarlyStoppingPatience = 5; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; o.WeightDecay = 1e-2; },
        ["e100"] = o => { o.NumberOfEpochs = 100; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; o.WeightDecay = 1e-2; },
        ["e100-l0.1"] = o => { o.NumberOfEpochs = 100; o.WeightDecay = 0.1; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; },
        ["e50-w128-l0.1"] = o => { o.NumberOfEpochs = 50; o.Network = new MlpNetworkOptions { HiddenLayers = [128, 128] }; o.WeightDecay = 0.1; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; },
        ["e50-l0.03"] = o => { o.NumberOfEpochs = 50; o.WeightDecay = 0.03; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; },
        ["e100-l0.03"] = o => { o.NumberOfEpochs = 100; o.WeightDecay = 0.03; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; },
        ["e50-w128-l0.03"] = o => { o.NumberOfEpochs = 50; o.Network = new MlpNetworkOptions { HiddenLayers = [128, 128] }; o.WeightDecay = 0.03; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; },
        ["e50-b64-lr2e-2"] = o => { o.NumberOfEpochs = 50; o.BatchSize = 64; o.LearningRate = 2e-2; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; o.WeightDecay = 1e-2; },
        ["e20-l0.3"] = o => { o.NumberOfEpochs = 20; o.WeightDecay = 0.3; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; },
        ["e10-l0.1"] = o => { o.NumberOfEpochs = 10; o.WeightDecay = 0.1; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; },
        ["e30-l0.1"] = o => { o.NumberOfEpochs = 30; o.WeightDecay = 0.1; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.Network = new MlpNetworkOptions { HiddenLayers = [64, 64] }; },
        ["e20-w128-l0.1"] = o => { o.NumberOfEpochs = 20; o.Network = new MlpNetworkOptions { HiddenLayers = [128, 128] }; o.WeightDecay = 0.1; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; },
        ["e100-w128-l0.03"] = o => { o.NumberOfEpochs = 100; o.Network = new MlpNetworkOptions { HiddenLayers = [128, 128] }; o.WeightDecay = 0.03; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; },
        ["e20-w128-l0.03"] = o => { o.NumberOfEpochs = 20; o.Network = new MlpNetworkOptions { HiddenLayers = [128, 128] }; o.WeightDecay = 0.03; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; },
        ["e20-w128"] = o => { o.NumberOfEpochs = 20; o.Network = new MlpNetworkOptions { HiddenLayers = [128, 128] }; o.ValidationFraction = 0; o.EarlyStoppingPatience = null; o.WeightDecay = 1e-2; },
    };

    private sealed record Contender(string Column, string Name, Func<MLContext, IEstimator<ITransformer>> Trainer);

    private sealed record Result(double Metric, double Seconds, double Spread = 0, double Epochs = 0);

    /// <summary>Runs the suite as the command line asks and writes the Markdown.</summary>
    public static void Run(string[] args)
    {
        string? outPath = null, candidate = "defaults";
        string[]? only = null;
        var oursOnly = false;
        TimeSpan? tuneBudget = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out": outPath = args[++i]; break;
                case "--sets": only = args[++i].Split(','); break;
                case "--candidate": candidate = args[++i]; break;
                case "--ours-only": oursOnly = true; break;
                case "--tuned": tuneBudget = TimeSpan.FromMinutes(double.Parse(args[++i], C)); break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. Use --out FILE, --sets a,b, --candidate NAME ({string.Join(", ", Candidates.Keys)}), --ours-only, --tuned MINUTES.");
            }
        }
        if (!Candidates.TryGetValue(candidate, out var configure))
            throw new ArgumentException($"Unknown candidate '{candidate}'; known: {string.Join(", ", Candidates.Keys)}.");
        if (only?.FirstOrDefault(n => SuiteDataSet.All.All(s => s.Name != n)) is { } unknown)
            throw new ArgumentException($"Unknown data set '{unknown}'; known: {string.Join(", ", SuiteDataSet.All.Select(s => s.Name))}.");

        TorchSharp.torch.set_num_threads(1);
        SuiteDataSet.ExportShipped();
        var baselinePath = Path.Combine(SuiteDataSet.CacheFolder, "baselines.json");
        var baselines = File.Exists(baselinePath)
            ? JsonSerializer.Deserialize<Dictionary<string, Result>>(File.ReadAllText(baselinePath)) ?? []
            : [];
        if (oursOnly && baselines.Count == 0)
            throw new InvalidOperationException($"--ours-only needs the baselines of a full run in '{baselinePath}'.");

        var sets = SuiteDataSet.All.Where(s => only is null || only.Contains(s.Name)).ToList();
        var rows = new List<(SuiteDataSet Set, SuiteTable Table, Dictionary<string, Result> Results)>();
        var tunedNotes = new List<string>();
        var warmedUp = new HashSet<string>();
        var total = Stopwatch.StartNew();
        foreach (var set in sets)
        {
            var table = SuiteTable.Open(set);
            var results = new Dictionary<string, Result>();
            foreach (var contender in Contenders(set.Task))
            {
                var key = set.Name + "/" + contender.Name;
                if (oursOnly && baselines.TryGetValue(key, out var saved))
                {
                    results[contender.Column] = saved;
                    continue;
                }
                var result = Measure(set, table, contender.Trainer, warmedUp.Add(set.Task + contender.Name));
                results[contender.Column] = baselines[key] = result;
                Console.Error.WriteLine(string.Create(C, $"{set.Name,-20} {contender.Name,-26} {result.Metric,9:G5} {result.Seconds,7:F2} s"));
            }
            var ours = Seeds.Select((seed, i) => Measure(set, table, ml => Ours(ml, set.Task, o => { configure(o); o.Seed = seed; }), warmUp: i == 0 && warmedUp.Add(set.Task + "ours"))).ToList();
            var metrics = ours.Select(r => r.Metric).ToList();
            results["ours"] = new Result(metrics.Average(), ours.Average(r => r.Seconds), metrics.Max() - metrics.Min(), ours.Average(r => r.Epochs));
            Console.Error.WriteLine(string.Create(C, $"{set.Name,-20} {"MLNet.AdamW (" + candidate + ")",-26} {results["ours"].Metric,9:G5} {results["ours"].Seconds,7:F2} s, spread {results["ours"].Spread:G3}, {results["ours"].Epochs:F1} epochs"));
            if (tuneBudget is { } budget)
            {
                var (tuned, note) = MeasureTuned(set, table, budget);
                results["tuned"] = tuned;
                tunedNotes.Add(note);
                Console.Error.WriteLine(string.Create(C, $"{set.Name,-20} {"MLNet.AdamW tuned",-26} {tuned.Metric,9:G5} {tuned.Seconds,7:F2} s; {note}"));
            }
            rows.Add((set, table, results));
        }
        if (!oursOnly)
            File.WriteAllText(baselinePath, JsonSerializer.Serialize(baselines));

        var markdown = Markdown(rows, candidate, total.Elapsed, tunedNotes);
        if (outPath is null)
            Console.Write(markdown);
        else
            File.WriteAllText(outPath, markdown);
    }

    private static Result Measure(SuiteDataSet set, SuiteTable table, Func<MLContext, IEstimator<ITransformer>> trainer, bool warmUp)
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = table.Split(ml);
        train = ml.Data.Cache(train);
        var pipeline = table.Featurize(ml).Append(trainer(ml));
        if (warmUp)
            pipeline.Fit(train);
        var watch = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        var seconds = watch.Elapsed.TotalSeconds;
        var metric = TestMetric(ml, set.Task, model, test);
        var history = (model.LastTransformer as ISingleFeaturePredictionTransformer<object>)?.Model switch
        {
            AdamWBinaryModelParameters b => b.History,
            AdamWMulticlassModelParameters m => m.History,
            AdamWRegressionModelParameters r => r.History,
            _ => (TrainingHistory?)null,
        };
        return new Result(metric, seconds, Epochs: history?.Epochs.Count ?? 0);
    }

    private static double TestMetric(MLContext ml, SuiteTask task, ITransformer model, IDataView test)
    {
        var scored = model.Transform(test);
        return task switch
        {
            SuiteTask.Binary => ml.BinaryClassification.EvaluateNonCalibrated(scored).AreaUnderRocCurve,
            SuiteTask.Multiclass => ml.MulticlassClassification.Evaluate(scored).MacroAccuracy,
            _ => ml.Regression.Evaluate(scored).RootMeanSquaredError,
        };
    }

    /// <summary>
    /// The "tuned" column: <see cref="Sweep.Tune{TOptions}"/> with its default grid (α × λ, successive halving)
    /// on the training split only, each trial measured on a 20 % holdout of it, at most <paramref name="budget"/>;
    /// the refit best pipeline is then measured on the test split like every other column.
    /// </summary>
    private static (Result Result, string Note) MeasureTuned(SuiteDataSet set, SuiteTable table, TimeSpan budget)
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = table.Split(ml);
        train = ml.Data.Cache(train);
        var watch = Stopwatch.StartNew();
        var (model, leaderboard, rate, decay) = set.Task switch
        {
            SuiteTask.Binary => Tune<AdamWBinaryTrainer.Options>(ml, train, table, budget),
            SuiteTask.Multiclass => Tune<AdamWMulticlassTrainer.Options>(ml, train, table, budget),
            _ => Tune<AdamWRegressionTrainer.Options>(ml, train, table, budget),
        };
        var seconds = watch.Elapsed.TotalSeconds;
        var metric = TestMetric(ml, set.Task, model, test);
        var note = string.Create(C,
            $"| {set.Name} | {rate:G3} | {decay:G3} | {leaderboard.Trials.Count} ({leaderboard.Count(TrialStatus.Complete)} / {leaderboard.Count(TrialStatus.Pruned)} / {leaderboard.Count(TrialStatus.Failed)}) | {leaderboard.EpochsTrained:N0} | {seconds:F0} s |");
        return (new Result(metric, seconds, Epochs: leaderboard.EpochsTrained), note);
    }

    private static (ITransformer Model, StudyResult Leaderboard, double Rate, double Decay) Tune<TOptions>(MLContext ml, IDataView train, SuiteTable table, TimeSpan budget)
        where TOptions : AdamWTrainerOptions, new()
    {
        var tuned = Sweep.Tune(ml, train, table.Featurize(ml), new TuneOptions<TOptions>
        {
            BaseOptions = () => new TOptions { Seed = 1 },
            Evaluation = SweepEvaluation.Holdout(0.2),
            TimeBudget = budget,
            Seed = 1,
        });
        return (tuned.Model, tuned.Leaderboard, tuned.BestOptions.LearningRate, tuned.BestOptions.WeightDecay);
    }

    private static IEstimator<ITransformer> Ours(MLContext ml, SuiteTask task, Action<AdamWTrainerOptions> configure)
    {
        switch (task)
        {
            case SuiteTask.Binary:
                var binary = new AdamWBinaryTrainer.Options();
                configure(binary);
                return ml.BinaryClassification.Trainers.AdamW(binary);
            case SuiteTask.Multiclass:
                var multiclass = new AdamWMulticlassTrainer.Options();
                configure(multiclass);
                return ml.MulticlassClassification.Trainers.AdamW(multiclass);
            default:
                var regression = new AdamWRegressionTrainer.Options();
                configure(regression);
                return ml.Regression.Trainers.AdamW(regression);
        }
    }

    private static Contender[] Contenders(SuiteTask task) => task switch
    {
        SuiteTask.Binary =>
        [
            new("lbfgs", "LbfgsLogisticRegression", ml => ml.BinaryClassification.Trainers.LbfgsLogisticRegression()),
            new("sdca", "SdcaLogisticRegression", ml => ml.BinaryClassification.Trainers.SdcaLogisticRegression()),
            new("fasttree", "FastTree", ml => ml.BinaryClassification.Trainers.FastTree()),
            new("lightgbm", "LightGbm", ml => ml.BinaryClassification.Trainers.LightGbm()),
        ],
        SuiteTask.Multiclass =>
        [
            new("lbfgs", "LbfgsMaximumEntropy", ml => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()),
            new("sdca", "SdcaMaximumEntropy", ml => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()),
            new("lightgbm", "LightGbm", ml => ml.MulticlassClassification.Trainers.LightGbm()),
        ],
        _ =>
        [
            new("sdca", "Sdca", ml => ml.Regression.Trainers.Sdca()),
            new("fasttree", "FastTree", ml => ml.Regression.Trainers.FastTree()),
            new("lightgbm", "LightGbm", ml => ml.Regression.Trainers.LightGbm()),
        ],
    };

    private static string Markdown(List<(SuiteDataSet Set, SuiteTable Table, Dictionary<string, Result> Results)> rows, string candidate, TimeSpan elapsed, List<string> tunedNotes)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Create(C, $"Defaults suite, {DateTime.UtcNow:yyyy-MM-dd}, MLNet.AdamW: {(candidate == "defaults" ? "its defaults" : "candidate " + candidate)}, seeds {string.Join(", ", Seeds)} (mean [min–max]); every other trainer with its defaults, seed 1. "));
        text.AppendLine(string.Create(C, $"Metric: AUC (binary), macro accuracy (multiclass), RMSE (regression). Fit times in seconds, indicative (one fit on {Environment.ProcessorCount} shared cores, one libtorch thread). Whole run {elapsed.TotalMinutes:F1} min."));
        text.AppendLine();
        var tunedColumn = tunedNotes.Count > 0;
        text.AppendLine(C, $"| data set | rows | features | metric | MLNet.AdamW |{(tunedColumn ? " MLNet.AdamW tuned |" : "")} LbfgsLogisticRegression / LbfgsMaximumEntropy | SdcaLogisticRegression / SdcaMaximumEntropy / Sdca | FastTree | LightGbm |");
        text.AppendLine(C, $"|---|---:|---|---|---:|{(tunedColumn ? "---:|" : "")}---:|---:|---:|---:|");
        foreach (var (set, table, results) in rows)
        {
            var higher = set.Task != SuiteTask.Regression;
            var best = results.Values.Select(r => r.Metric).Aggregate((a, b) => higher ? Math.Max(a, b) : Math.Min(a, b));
            string Cell(string column)
            {
                if (!results.TryGetValue(column, out var r))
                    return "—";
                var value = Format(r.Metric);
                if (r.Metric == best)
                    value = "**" + value + "**";
                if (column == "ours")
                    value += string.Create(C, $" [{Format(r.Metric - r.Spread / 2)}–{Format(r.Metric + r.Spread / 2)}]");
                return value + string.Create(C, $" ({r.Seconds:F2} s)");
            }
            var metric = set.Task switch { SuiteTask.Binary => "AUC", SuiteTask.Multiclass => "macro acc.", _ => "RMSE" };
            var tunedCell = tunedColumn ? $" {Cell("tuned")} |" : "";
            text.AppendLine(string.Create(C, $"| {set.Name} ({set.Task.ToString().ToLowerInvariant()}) | {table.RowCount:N0} | {table.Shape} | {metric} | {Cell("ours")} |{tunedCell} {Cell("lbfgs")} | {Cell("sdca")} | {Cell("fasttree")} | {Cell("lightgbm")} |"));
        }
        if (tunedColumn)
        {
            text.AppendLine();
            text.AppendLine("Tuned: the best of the tuner's α × λ grid (trials: complete / pruned / failed; epochs trained by all trials; tuning and refit time).");
            text.AppendLine();
            text.AppendLine("| data set | best α | best λ | trials | epochs trained | time |");
            text.AppendLine("|---|---:|---:|---|---:|---:|");
            foreach (var note in tunedNotes)
                text.AppendLine(note);
        }

        text.AppendLine();
        text.AppendLine("Targets. Gap = ours − other, in points (×100) for AUC and accuracy, in % of the other's RMSE for regression (negative RMSE gap = ours better). Spread = max − min over our seeds.");
        text.AppendLine();
        text.AppendLine("| data set | ours vs best linear | spread | within spread | ours vs LightGbm | epochs (mean) |");
        text.AppendLine("|---|---:|---:|---|---:|---:|");
        var classificationGaps = new List<double>();
        var regressionGaps = new List<double>();
        var misses = new List<string>();
        foreach (var (set, _, results) in rows)
        {
            var ours = results["ours"];
            var higher = set.Task != SuiteTask.Regression;
            var linear = LinearColumns.Where(results.ContainsKey).Select(k => results[k].Metric)
                .Aggregate((a, b) => higher ? Math.Max(a, b) : Math.Min(a, b));
            var lightGbm = results["lightgbm"].Metric;
            double Gap(double other) => higher ? 100 * (ours.Metric - other) : 100 * (ours.Metric - other) / other;
            var spread = higher ? 100 * ours.Spread : 100 * ours.Spread / linear;
            var linearGap = Gap(linear);
            var holds = higher ? linearGap >= -spread : linearGap <= spread;
            if (!holds)
                misses.Add(set.Name);
            (higher ? classificationGaps : regressionGaps).Add(Gap(lightGbm));
            var unit = higher ? "" : " %";
            text.AppendLine(string.Create(C, $"| {set.Name} | {linearGap:+0.00;-0.00}{unit} | {spread:0.00}{unit} | {(holds ? "yes" : "**no**")} | {Gap(lightGbm):+0.00;-0.00}{unit} | {ours.Epochs:F1} |"));
        }
        text.AppendLine();
        text.AppendLine(string.Create(C, $"Median gap to LightGbm: classification {Median(classificationGaps):+0.00;-0.00} points (target ≥ −1), regression {Median(regressionGaps):+0.00;-0.00} % RMSE. "
            + $"Worse than the best linear trainer by more than the seed spread: {(misses.Count == 0 ? "none" : string.Join(", ", misses))}."));
        return text.ToString();
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Format(double value) => value.ToString(value >= 100 ? "N0" : value >= 10 ? "F2" : "F4", C);
}
