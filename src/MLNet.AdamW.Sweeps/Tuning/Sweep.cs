using Microsoft.ML;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Sweeps;

/// <summary>One-call tuning for users who just want good settings.</summary>
public static class Sweep
{
    /// <summary>
    /// Sweeps the learning rate × weight decay (× decay mode) grid of <paramref name="options"/> with successive
    /// halving on epochs, under a trial or time budget, and returns the best pipeline refit on all of
    /// <paramref name="data"/> with its leaderboard.
    /// </summary>
    /// <remarks>
    /// The grid always contains the base options' own learning rate and weight decay (they are added to the
    /// lists when missing), so with a full budget the tuner's cross-validated best is never worse than the
    /// defaults' unless successive halving stopped the defaults at a rung. Rungs sit at r·η^k epochs with
    /// r = max(1, ⌊epochs / η²⌋), so a trial stopped at the first rung costs about a ninth of a full one.
    /// </remarks>
    /// <example>
    /// <code>
    /// var tuned = Sweep.Tune(ml, train, featurization, new TuneOptions&lt;AdamWBinaryTrainer.Options&gt;
    /// {
    ///     BaseOptions = () => new() { LabelColumnName = "IsMale" },
    ///     TimeBudget = TimeSpan.FromMinutes(2),
    /// });
    /// Console.WriteLine(LeaderboardExport.ToMarkdown(tuned.Leaderboard, top: 5));
    /// var metrics = ml.BinaryClassification.Evaluate(tuned.Model.Transform(test), "IsMale");
    /// </code>
    /// </example>
    public static TuneResult<TOptions> Tune<TOptions>(MLContext mlContext, IDataView data, IEstimator<ITransformer>? featurization = null,
        TuneOptions<TOptions>? options = null)
        where TOptions : AdamWTrainerOptions, new()
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new TuneOptions<TOptions>();
        var task = TaskAdapter.TaskOf(typeof(TOptions));
        var metric = SweepMetric.Parse(options.Metric ?? DefaultMetric(task), task);
        var defaults = options.BaseOptions();
        var space = new SearchSpace<TOptions>(options.BaseOptions)
            .Grid(o => o.LearningRate, [.. WithDefault(options.LearningRates, defaults.LearningRate, nameof(options.LearningRates))])
            .Grid(o => o.WeightDecay, [.. WithDefault(options.WeightDecays, defaults.WeightDecay, nameof(options.WeightDecays))]);
        if (options.WeightDecayModes is { Count: > 0 } modes)
            space.Choice(o => o.WeightDecayMode, [.. modes.Distinct()]);
        var epochs = defaults.NumberOfEpochs;
        var eta = options.ReductionFactor;
        var strategy = SweepStrategy.Asha(Math.Max(1, epochs / (eta * eta)), eta, epochs, overGrid: true);
        var objective = new SweepObjective<TOptions>(mlContext, data, metric, featurization, options.Evaluation);

        var store = options.Store ?? new InMemoryStudyStore();
        try
        {
            var study = Study.CreateOrOpen(store, options.StudyName, space, objective, strategy, options.Seed);
            study.Run(options.Trials ?? int.MaxValue, new StudyRunOptions { TimeBudget = options.TimeBudget });
            var best = study.BestOptions();
            return new TuneResult<TOptions>(objective.Refit(best), study.BestOptions(), study.GetResult());
        }
        finally
        {
            if (options.Store is null)
                store.Dispose();
        }
    }

    internal static string DefaultMetric(TrainingTask task) => task switch
    {
        TrainingTask.BinaryClassification => "auc",
        TrainingTask.MulticlassClassification => "macro-accuracy",
        _ => "rmse",
    };

    private static IEnumerable<double> WithDefault(IReadOnlyList<double> values, double fallback, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        return values.Contains(fallback) ? values.Distinct() : values.Append(fallback).Distinct().Order();
    }
}
