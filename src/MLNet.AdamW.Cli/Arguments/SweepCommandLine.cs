using MLNet.AdamW.Training;
using System.CommandLine;
using System.Globalization;
using MLNet.AdamW.Sweeps;

namespace MLNet.AdamW.Cli.Arguments;

/// <summary>The flags of <c>mlnet-adamw sweep</c> and their validation into <see cref="SweepSettings"/>.</summary>
internal sealed class SweepCommandLine
{
    public Option<string> Dataset { get; } = new("--dataset") { Description = "The CSV (or other delimited) file to sweep on.", Required = true };

    public Option<string> LabelColumn { get; } = new("--label-col") { Description = "The label column: its name, or its 0-based index in a file without a header.", Required = true };

    public Option<string> Task { get; } = new("--task") { Description = "binary-classification, multiclass-classification or regression.", Required = true };

    public Option<bool> HasHeader { get; } = new("--has-header") { Description = "The file's first line names the columns." };

    public Option<string> Separator { get; } = new("--separator") { Description = "The field separator: one character, or 'tab'.", DefaultValueFactory = _ => "," };

    public Option<string> Storage { get; } = new("--storage") { Description = "The study store: sqlite:path/to/sweep.db, or postgres:\"Host=…;Database=…;Username=…\" (workers on several machines).", Required = true };

    public Option<string> Study { get; } = new("--study") { Description = "The study's name in the store; the same command again resumes it.", Required = true };

    public Option<string> Strategy { get; } = new("--strategy") { Description = "grid (every cell of the listed values), random (seeded draws) or asha (successive halving on epochs over random draws).", Required = true };

    public Option<int?> Trials { get; } = new("--trials") { Description = "The study's total number of trials (not per run or per worker). A grid defaults to one per cell." };

    public Option<int> Workers { get; } = new("--workers") { Description = "Worker processes on this machine, this one included: K > 1 starts K-1 more. One libtorch thread each by default.", DefaultValueFactory = _ => 1 };

    public Option<int?> CrossValidationFolds { get; } = new("--cv-folds") { Description = "Score each trial by k-fold cross-validation (k ≥ 2). Excludes --validation-fraction." };

    public Option<double?> ValidationFraction { get; } = new("--validation-fraction") { Description = "Score each trial on this held-out fraction of the rows (default 0.2 when --cv-folds is not given)." };

    public Option<string?> Metric { get; } = new("--metric") { Description = "The metric to optimize. Binary: auc (default), accuracy, f1, auprc, log-loss, log-loss-reduction, positive-precision, positive-recall; multiclass: macro-accuracy (default), micro-accuracy, accuracy, log-loss, log-loss-reduction; regression: rmse (default), mae, mse, r2." };

    public Option<string[]> Set { get; } = new("--set") { Description = "An option and its values: Name=a,b,c (a grid or choices), Name=uniform:low:high, Name=loguniform:low:high. Repeat for each option; any option of the trainer's Options.", Required = true, AllowMultipleArgumentsPerToken = false };

    public Option<string?> Output { get; } = new("--output") { Description = "Where to write the leaderboard (CSV, Markdown), the heat map (PNG, SVG) and the refit best model (model.zip). Default: ./<study>." };

    public Option<string?> IgnoreColumns { get; } = new("--ignore-cols") { Description = "Columns to leave out, comma separated." };

    public Option<int> Seed { get; } = new("--seed") { Description = "The study seed: every trial's options and training seed derive from it and the trial number.", DefaultValueFactory = _ => 1 };

    public Option<int> MinEpochs { get; } = new("--min-epochs") { Description = "asha: epochs before the first rung (rungs at min·η^k).", DefaultValueFactory = _ => 1 };

    public Option<int> ReductionFactor { get; } = new("--reduction-factor") { Description = "asha: η, the top 1/η of a rung go on.", DefaultValueFactory = _ => 3 };

    public Option<int> ThreadsPerWorker { get; } = new("--threads-per-worker") { Description = "libtorch threads in each worker process.", DefaultValueFactory = _ => 1 };

    public Option<double> StaleAfter { get; } = new("--stale-after") { Description = "Seconds without a heartbeat after which a running trial is taken as dead (its worker killed) and run again.", DefaultValueFactory = _ => 30 };

    public Option<bool> Plain { get; } = new("--plain") { Description = "Progress as plain lines even on a terminal (the default when output is redirected)." };

    public Option<bool> Worker { get; } = new("--worker") { Description = "Run as a spawned worker: trials only.", Hidden = true };

    public Option<int?> ParentProcessId { get; } = new("--parent-pid") { Hidden = true };

    /// <summary>The <c>sweep</c> command with every flag.</summary>
    public Command CreateCommand()
    {
        var command = new Command("sweep", "Sweep trainer options over a CSV file into a study store; rerun the same command to resume.");
        foreach (var option in new Option[]
                 {
                     Dataset, LabelColumn, Task, HasHeader, Separator, Storage, Study, Strategy, Trials, Workers, CrossValidationFolds,
                     ValidationFraction, Metric, Set, Output, IgnoreColumns, Seed, MinEpochs, ReductionFactor, ThreadsPerWorker, StaleAfter, Plain, Worker,
                     ParentProcessId,
                 })
        {
            command.Options.Add(option);
        }
        return command;
    }

    /// <summary>The validated settings; a <see cref="CliUsageException"/> naming the flag otherwise.</summary>
    public SweepSettings Bind(ParseResult result)
    {
        var taskName = result.GetValue(Task)!;
        if (!SweepTasks.ByName.TryGetValue(taskName, out var task))
            throw new CliUsageException("--task", $"'{taskName}' is not a task; choose one of: {string.Join(", ", SweepTasks.ByName.Keys)}.");

        var strategyName = result.GetValue(Strategy)!;
        if (!Enum.TryParse<StrategyKind>(strategyName, ignoreCase: true, out var strategy) || int.TryParse(strategyName, out _))
            throw new CliUsageException("--strategy", $"'{strategyName}' is not a strategy; choose one of: grid, random, asha.");

        var dataset = result.GetValue(Dataset)!;
        if (!File.Exists(dataset))
            throw new CliUsageException("--dataset", $"{dataset} does not exist.");

        var storage = result.GetValue(Storage)!;
        if (!storage.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) && !storage.StartsWith("postgres:", StringComparison.OrdinalIgnoreCase))
            throw new CliUsageException("--storage", $"'{storage}' names no store; use sqlite:path/to/sweep.db or postgres:\"Host=…;Database=…\".");
        if (storage.IndexOf(':', StringComparison.Ordinal) == storage.Length - 1)
            throw new CliUsageException("--storage", $"'{storage}' has no path or connection string after the colon.");

        var study = result.GetValue(Study)!.Trim();
        if (study.Length == 0)
            throw new CliUsageException("--study", "the study needs a name.");

        var trials = result.GetValue(Trials);
        if (trials is < 1)
            throw new CliUsageException("--trials", $"{trials} trials: give at least 1.");
        if (trials is null && strategy != StrategyKind.Grid)
            throw new CliUsageException("--trials", $"--strategy {strategyName} needs the number of trials (only a grid defaults to one per cell).");

        var workers = result.GetValue(Workers);
        if (workers < 1)
            throw new CliUsageException("--workers", $"{workers} workers: give at least 1.");

        var folds = result.GetValue(CrossValidationFolds);
        var fraction = result.GetValue(ValidationFraction);
        if (folds is not null && fraction is not null)
            throw new CliUsageException("--cv-folds", "give either --cv-folds or --validation-fraction, not both.");
        if (folds is < 2)
            throw new CliUsageException("--cv-folds", $"{folds} folds: cross-validation needs at least 2.");
        if (fraction is not null && !(fraction > 0 && fraction < 1))
            throw new CliUsageException("--validation-fraction", $"{fraction.Value.ToString(CultureInfo.InvariantCulture)} is not a fraction strictly between 0 and 1.");

        var metricName = result.GetValue(Metric);
        var metric = ParseMetric(metricName, task);

        var parameters = ParameterSetting.ParseAll(result.GetValue(Set) ?? [], task.OptionsType());
        if (strategy == StrategyKind.Grid && parameters.FirstOrDefault(p => p.Kind != ParameterKind.Values) is { } range)
            throw new CliUsageException("--set", $"{range.Name} is a range; a grid needs listed values (e.g. {range.Name}=1e-3,1e-2), or use --strategy random or asha.");

        var minEpochs = result.GetValue(MinEpochs);
        if (minEpochs < 1)
            throw new CliUsageException("--min-epochs", $"{minEpochs}: successive halving needs at least 1 epoch before the first rung.");
        var reduction = result.GetValue(ReductionFactor);
        if (reduction < 2)
            throw new CliUsageException("--reduction-factor", $"{reduction}: η must be at least 2.");
        var threads = result.GetValue(ThreadsPerWorker);
        if (threads < 1)
            throw new CliUsageException("--threads-per-worker", $"{threads}: give at least 1.");

        var staleAfter = result.GetValue(StaleAfter);
        if (!(staleAfter >= 1))
            throw new CliUsageException("--stale-after", $"{staleAfter.ToString(CultureInfo.InvariantCulture)} s: give at least 1 second (heartbeats come six times as often).");

        return new SweepSettings
        {
            Dataset = Path.GetFullPath(dataset),
            LabelColumn = result.GetValue(LabelColumn)!,
            Task = task,
            HasHeader = result.GetValue(HasHeader),
            Separator = ParseSeparator(result.GetValue(Separator)!),
            Storage = storage,
            Study = study,
            Strategy = strategy,
            Trials = trials,
            Workers = workers,
            CrossValidationFolds = folds,
            ValidationFraction = fraction ?? 0.2,
            Metric = metric,
            Parameters = parameters,
            Output = Path.GetFullPath(result.GetValue(Output) ?? study),
            IgnoreColumns = (result.GetValue(IgnoreColumns) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Seed = result.GetValue(Seed),
            MinEpochs = minEpochs,
            ReductionFactor = reduction,
            ThreadsPerWorker = threads,
            StaleAfter = TimeSpan.FromSeconds(staleAfter),
            IsWorker = result.GetValue(Worker),
            ParentProcessId = result.GetValue(ParentProcessId),
            PlainProgress = result.GetValue(Plain),
        };
    }

    /// <summary>The metrics swept when --metric is not given: AUC, macro accuracy (fair to rare classes), RMSE.</summary>
    private static readonly Dictionary<TrainingTask, string> DefaultMetrics = new()
    {
        [TrainingTask.BinaryClassification] = "auc",
        [TrainingTask.MulticlassClassification] = "macro-accuracy",
        [TrainingTask.Regression] = "rmse",
    };

    private static SweepMetric ParseMetric(string? name, TrainingTask task)
    {
        try
        {
            return SweepMetric.Parse(name ?? DefaultMetrics[task], task);
        }
        catch (ArgumentException e)
        {
            throw CliUsageException.From("--metric", e);
        }
    }

    private static char ParseSeparator(string text) => text switch
    {
        "tab" or "\\t" or "\t" => '\t',
        { Length: 1 } => text[0],
        _ => throw new CliUsageException("--separator", $"'{text}' is not one character (use 'tab' for a tab)."),
    };
}
