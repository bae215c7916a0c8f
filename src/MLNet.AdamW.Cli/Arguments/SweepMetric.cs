using MLNet.AdamW.Training;

namespace MLNet.AdamW.Cli.Arguments;

/// <summary>
/// A metric <c>--metric</c> can name: its command-line spelling, ML.NET's name for it (the property of
/// the task's metrics class) and whether larger is better.
/// </summary>
internal sealed record SweepMetric(string Name, string MLNetName, bool Maximize)
{
    private static readonly Dictionary<TrainingTask, SweepMetric[]> ByTask = new()
    {
        [TrainingTask.BinaryClassification] =
        [
            new("auc", "AreaUnderRocCurve", true),
            new("accuracy", "Accuracy", true),
            new("f1", "F1Score", true),
            new("auprc", "AreaUnderPrecisionRecallCurve", true),
            new("log-loss", "LogLoss", false),
            new("log-loss-reduction", "LogLossReduction", true),
            new("positive-precision", "PositivePrecision", true),
            new("positive-recall", "PositiveRecall", true),
        ],
        [TrainingTask.MulticlassClassification] =
        [
            new("macro-accuracy", "MacroAccuracy", true),
            new("micro-accuracy", "MicroAccuracy", true),
            new("accuracy", "MicroAccuracy", true),
            new("log-loss", "LogLoss", false),
            new("log-loss-reduction", "LogLossReduction", true),
        ],
        [TrainingTask.Regression] =
        [
            new("rmse", "RootMeanSquaredError", false),
            new("mae", "MeanAbsoluteError", false),
            new("mse", "MeanSquaredError", false),
            new("r2", "RSquared", true),
        ],
    };

    /// <summary>The metric swept when <c>--metric</c> is not given: AUC, macro accuracy (fair to rare classes), RMSE.</summary>
    public static SweepMetric Default(TrainingTask task) => ByTask[task][0];

    /// <summary>The metrics of a task, by command-line name.</summary>
    public static IReadOnlyList<SweepMetric> For(TrainingTask task) => ByTask[task];

    /// <summary>The metric of that name for the task; a <see cref="CliUsageException"/> naming <c>--metric</c> and the choices otherwise.</summary>
    public static SweepMetric Parse(TrainingTask task, string name) =>
        ByTask[task].FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new CliUsageException("--metric",
            $"'{name}' is not a metric of {task.Name()}; choose one of: {string.Join(", ", ByTask[task].Select(m => m.Name))}.");
}
