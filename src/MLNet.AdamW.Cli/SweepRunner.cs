using MLNet.AdamW.Training;
using System.Globalization;
using Microsoft.ML;
using MLNet.AdamW.Cli.Arguments;
using MLNet.AdamW.Cli.Data;
using MLNet.AdamW.Cli.Display;
using MLNet.AdamW.Cli.Workers;
using MLNet.AdamW.Sweeps;

namespace MLNet.AdamW.Cli;

/// <summary>
/// <c>mlnet-adamw sweep</c>: reads the file, creates or opens the study, runs this process's share of the
/// trials (and, with <c>--workers K</c>, starts K-1 more worker processes), shows the progress, and at the
/// end writes the leaderboard, the heat map and the refit best model.
/// </summary>
internal static class SweepRunner
{
    public static int Run(SweepSettings settings, IReadOnlyList<string> args, TextWriter output, TextWriter error) => settings.Task switch
    {
        TrainingTask.BinaryClassification => Run<AdamWBinaryTrainer.Options>(settings, args, output, error),
        TrainingTask.MulticlassClassification => Run<AdamWMulticlassTrainer.Options>(settings, args, output, error),
        _ => Run<AdamWRegressionTrainer.Options>(settings, args, output, error),
    };

    private static int Run<TOptions>(SweepSettings settings, IReadOnlyList<string> args, TextWriter output, TextWriter error)
        where TOptions : AdamWTrainerOptions, new()
    {
        if (settings.IsWorker && settings.ParentProcessId is { } parent)
            WorkerProcesses.ExitWhenParentIsGone(parent);

        var ml = new MLContext(settings.Seed);
        var data = SweepDataset.Load(ml, settings.Dataset, settings.Separator, settings.HasHeader, settings.LabelColumn, settings.Task, settings.IgnoreColumns);
        var space = SearchSpaceOf<TOptions>(settings);
        var metric = settings.Metric;
        var evaluation = settings.CrossValidationFolds is { } folds ? SweepEvaluation.CrossValidation(folds) : SweepEvaluation.Holdout(settings.ValidationFraction);
        var objective = new SweepObjective<TOptions>(ml, data.Data, metric, data.Featurizer(), evaluation);
        var strategy = StrategyOf<TOptions>(settings);

        using var store = StudyStore.Open(settings.Storage);
        var study = Study.CreateOrOpen(store, settings.Study, space, objective, strategy, settings.Seed);
        var total = settings.Trials ?? (int)space.GridSize!.Value;
        var run = new StudyRunOptions
        {
            StaleAfter = settings.StaleAfter,
            HeartbeatInterval = settings.StaleAfter / 6,
        };

        if (settings.IsWorker)
        {
            study.Run(total, run);
            return ExitCodes.Success;
        }

        Describe(settings, data, study, total, output);
        using var workers = WorkerProcesses.Start(settings.Workers - 1, args);
        var mine = Task.Factory.StartNew(() => study.Run(total, run), TaskCreationOptions.LongRunning);
        using (var watcher = StudyStore.Open(settings.Storage))
        {
            ProgressDisplay.Show(() => StudyProgress.Of(watcher.GetTrials(study.Info.Id), total, settings.Workers, metric.Maximize), mine,
                settings.MetricName, settings.PlainProgress, output);
        }
        mine.GetAwaiter().GetResult();
        var failures = workers.WaitAll();
        foreach (var failure in failures)
            error.WriteLine($"warning: {failure}");

        var result = study.GetResult();
        LeaderboardTable.Write(result, output, top: 10);
        StudyOutputs.Write(result, settings.Output, output);
        if (result.Best is null)
        {
            error.WriteLine("error: no trial completed, so there is no best model; the leaderboard has each trial's error.");
            return ExitCodes.Failure;
        }
        var model = study.RefitBest();
        if (data.Postprocessing() is { } post)
            model = model.Append(post.Fit(model.Transform(data.Data)));
        var modelPath = Path.Combine(settings.Output, "model.zip");
        ml.Model.Save(model, data.Loader, modelPath);
        output.WriteLine($"Best: trial {result.Best.Number}, {settings.MetricName} {result.Best.ValueText}, {string.Join(", ", result.Best.Parameters.Select(p => $"{p.Key} = {p.Value}"))}; refit on all {data.Columns.Rows - data.Columns.MissingLabels} rows: {StudyOutputs.Shown(modelPath)}");
        return ExitCodes.Success;
    }

    private static void Describe<TOptions>(SweepSettings settings, SweepDataset data, Study<TOptions> study, int total, TextWriter output)
        where TOptions : AdamWTrainerOptions, new()
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(settings.Dataset)}: {data.Columns.Rows} rows; {settings.Task.Name()}"));
        foreach (var line in data.Describe())
            output.WriteLine($"  {line}");
        var done = study.Store.GetTrials(study.Info.Id).Count(t => t.Status is TrialStatus.Complete or TrialStatus.Pruned or TrialStatus.Failed);
        var scoring = settings.CrossValidationFolds is { } k
            ? string.Create(CultureInfo.InvariantCulture, $"{k}-fold cross-validation")
            : string.Create(CultureInfo.InvariantCulture, $"a {settings.ValidationFraction:P0} holdout");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Study '{settings.Study}' in {settings.Storage}: {settings.Strategy.ToString().ToLowerInvariant()}, {total} trials ({(done == 0 ? "new" : $"{done} already done, resuming")}), {settings.MetricName} by {scoring}, seed {settings.Seed}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Workers: {settings.Workers} process{(settings.Workers == 1 ? "" : "es")} × {settings.ThreadsPerWorker} libtorch thread{(settings.ThreadsPerWorker == 1 ? "" : "s")} on {Environment.ProcessorCount} cores"));
        if (settings.Workers * settings.ThreadsPerWorker > Environment.ProcessorCount)
            output.WriteLine("  (more threads than cores: workers will share cores and each trial runs slower)");
    }

    private static SearchSpace<TOptions> SearchSpaceOf<TOptions>(SweepSettings settings)
        where TOptions : AdamWTrainerOptions, new()
    {
        var space = new SearchSpace<TOptions>(() => new TOptions { NumberOfThreads = settings.ThreadsPerWorker });
        try
        {
            foreach (var p in settings.Parameters)
            {
                _ = p.Kind switch
                {
                    // A grid's numeric values are an axis; its enums and booleans are choices, which the grid enumerates too.
                    ParameterKind.Values when settings.Strategy == StrategyKind.Grid && p.IsNumeric => space.Grid(p.Name, [.. p.Values]),
                    ParameterKind.Values => space.Choice(p.Name, [.. p.Values]),
                    ParameterKind.Uniform => space.Uniform(p.Name, p.Low, p.High),
                    _ => space.LogUniform(p.Name, p.Low, p.High),
                };
            }
        }
        catch (ArgumentException e)
        {
            throw CliUsageException.From("--set", e);
        }
        return space;
    }

    private static SweepStrategy StrategyOf<TOptions>(SweepSettings settings)
        where TOptions : AdamWTrainerOptions, new()
    {
        switch (settings.Strategy)
        {
            case StrategyKind.Grid:
                return SweepStrategy.Grid();
            case StrategyKind.Random:
                return SweepStrategy.Random();
            default:
                // The resource is epochs: up to the fixed NumberOfEpochs when --set gives one, else the task's default.
                var epochs = settings.Parameters.FirstOrDefault(p => p.Name == nameof(AdamWTrainerOptions.NumberOfEpochs));
                var maxEpochs = epochs is { Kind: ParameterKind.Values, Values.Count: 1 } ? (int)epochs.Values[0] : new TOptions().NumberOfEpochs;
                try
                {
                    return SweepStrategy.Asha(settings.MinEpochs, settings.ReductionFactor, maxEpochs, overGrid: settings.Parameters.All(p => p.Kind == ParameterKind.Values));
                }
                catch (ArgumentException e)
                {
                    throw new CliUsageException("--min-epochs", $"{CliUsageException.From("--min-epochs", e).Message["--min-epochs: ".Length..]} (successive halving up to {maxEpochs} epochs: set NumberOfEpochs=N to change it)", e);
                }
        }
    }
}
