using Microsoft.ML.Data;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// A metric of ML.NET's evaluation for one task, by its ML.NET property name, with its direction: what a
/// study optimizes. <see cref="Parse"/> also takes the short names of the <c>mlnet</c> CLI (auc, f1, rmse, …).
/// </summary>
public sealed class SweepMetric
{
    private static readonly SweepMetric[] All =
    [
        Binary(nameof(BinaryClassificationMetrics.AreaUnderRocCurve), true, m => m.AreaUnderRocCurve, "auc"),
        Binary(nameof(BinaryClassificationMetrics.Accuracy), true, m => m.Accuracy, "accuracy"),
        Binary(nameof(BinaryClassificationMetrics.F1Score), true, m => m.F1Score, "f1"),
        Binary(nameof(BinaryClassificationMetrics.AreaUnderPrecisionRecallCurve), true, m => m.AreaUnderPrecisionRecallCurve, "auprc"),
        Binary(nameof(BinaryClassificationMetrics.PositivePrecision), true, m => m.PositivePrecision, "positive-precision"),
        Binary(nameof(BinaryClassificationMetrics.PositiveRecall), true, m => m.PositiveRecall, "positive-recall"),
        Binary(nameof(BinaryClassificationMetrics.NegativePrecision), true, m => m.NegativePrecision, "negative-precision"),
        Binary(nameof(BinaryClassificationMetrics.NegativeRecall), true, m => m.NegativeRecall, "negative-recall"),
        Binary(nameof(CalibratedBinaryClassificationMetrics.LogLoss), false, m => ((CalibratedBinaryClassificationMetrics)m).LogLoss, "log-loss"),
        Binary(nameof(CalibratedBinaryClassificationMetrics.LogLossReduction), true, m => ((CalibratedBinaryClassificationMetrics)m).LogLossReduction, "log-loss-reduction"),
        Multiclass(nameof(MulticlassClassificationMetrics.MacroAccuracy), true, m => m.MacroAccuracy, "macro-accuracy"),
        Multiclass(nameof(MulticlassClassificationMetrics.MicroAccuracy), true, m => m.MicroAccuracy, "micro-accuracy", "accuracy"),
        Multiclass(nameof(MulticlassClassificationMetrics.LogLoss), false, m => m.LogLoss, "log-loss"),
        Multiclass(nameof(MulticlassClassificationMetrics.LogLossReduction), true, m => m.LogLossReduction, "log-loss-reduction"),
        Regression(nameof(RegressionMetrics.RootMeanSquaredError), false, m => m.RootMeanSquaredError, "rmse"),
        Regression(nameof(RegressionMetrics.MeanAbsoluteError), false, m => m.MeanAbsoluteError, "mae"),
        Regression(nameof(RegressionMetrics.MeanSquaredError), false, m => m.MeanSquaredError, "mse"),
        Regression(nameof(RegressionMetrics.RSquared), true, m => m.RSquared, "r2", "r-squared"),
    ];

    private readonly Func<object, double> _read;

    private SweepMetric(TrainingTask task, string name, bool maximize, Func<object, double> read, string[] aliases)
    {
        Task = task;
        Name = name;
        Maximize = maximize;
        _read = read;
        Aliases = aliases;
    }

    /// <summary>The task whose evaluation gives the metric.</summary>
    public TrainingTask Task { get; }

    /// <summary>ML.NET's name of the metric, e.g. "AreaUnderRocCurve".</summary>
    public string Name { get; }

    /// <summary>Whether larger is better.</summary>
    public bool Maximize { get; }

    /// <summary>The short names <see cref="Parse"/> accepts besides <see cref="Name"/>.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>The metrics of a task.</summary>
    public static IReadOnlyList<SweepMetric> For(TrainingTask task) => [.. All.Where(m => m.Task == task)];

    /// <summary>The task's metric of that name: ML.NET's property name or a short name, case-insensitive (auc, accuracy, f1, log-loss, macro-accuracy, micro-accuracy, rmse, mae, mse, r2, …).</summary>
    /// <exception cref="ArgumentException">No such metric for the task; the message lists the task's metrics.</exception>
    public static SweepMetric Parse(string name, TrainingTask task)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var key = name.Trim();
        var found = All.FirstOrDefault(m => m.Task == task
            && (string.Equals(m.Name, key, StringComparison.OrdinalIgnoreCase) || m.Aliases.Any(a => string.Equals(a, key, StringComparison.OrdinalIgnoreCase))));
        return found ?? throw new ArgumentException(
            $"\"{name}\" is not a metric of {task}; use one of: {string.Join(", ", For(task).Select(m => $"{m.Aliases[0]} ({m.Name})"))}.", nameof(name));
    }

    /// <summary>Whether <paramref name="candidate"/> is better than <paramref name="incumbent"/> by this metric's direction.</summary>
    public bool IsBetter(double candidate, double incumbent) => Maximize ? candidate > incumbent : candidate < incumbent;

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Reads the metric from ML.NET's metrics object of the task.</summary>
    internal double Read(object metrics) => _read(metrics);

    private static SweepMetric Binary(string name, bool maximize, Func<BinaryClassificationMetrics, double> read, params string[] aliases) =>
        new(TrainingTask.BinaryClassification, name, maximize, m => read((BinaryClassificationMetrics)m), aliases);

    private static SweepMetric Multiclass(string name, bool maximize, Func<MulticlassClassificationMetrics, double> read, params string[] aliases) =>
        new(TrainingTask.MulticlassClassification, name, maximize, m => read((MulticlassClassificationMetrics)m), aliases);

    private static SweepMetric Regression(string name, bool maximize, Func<RegressionMetrics, double> read, params string[] aliases) =>
        new(TrainingTask.Regression, name, maximize, m => read((RegressionMetrics)m), aliases);
}
