using System.Globalization;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// How a trial's metric is measured: k-fold cross-validation (the folds of ML.NET's
/// <c>CrossValidationSplit</c>, as <c>CrossValidate</c> makes them) or one holdout fraction. The split is
/// seeded by the study seed, so every trial of a study sees the same folds.
/// </summary>
public sealed class SweepEvaluation
{
    private SweepEvaluation(int folds, double holdoutFraction, string? samplingKeyColumnName)
    {
        Folds = folds;
        HoldoutFraction = holdoutFraction;
        SamplingKeyColumnName = samplingKeyColumnName;
    }

    /// <summary>The number of folds; 1 for a holdout.</summary>
    public int Folds { get; }

    /// <summary>The fraction held out; 0 for cross-validation.</summary>
    public double HoldoutFraction { get; }

    /// <summary>A column whose equal values stay in one fold (ML.NET's samplingKeyColumnName); null for none.</summary>
    public string? SamplingKeyColumnName { get; }

    /// <summary>Whether this is k-fold cross-validation.</summary>
    public bool IsCrossValidation => HoldoutFraction == 0;

    /// <summary>k-fold cross-validation: the metric is the mean over the folds, with its standard deviation.</summary>
    /// <param name="folds">At least 2.</param>
    /// <param name="samplingKeyColumnName">Rows with equal values of this column stay in one fold; null for none.</param>
    public static SweepEvaluation CrossValidation(int folds = 5, string? samplingKeyColumnName = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        return new SweepEvaluation(folds, 0, samplingKeyColumnName);
    }

    /// <summary>One split: train on the rest, measure on <paramref name="fraction"/> of the rows.</summary>
    /// <param name="fraction">In (0, 1).</param>
    /// <param name="samplingKeyColumnName">Rows with equal values of this column stay on one side; null for none.</param>
    public static SweepEvaluation Holdout(double fraction = 0.2, string? samplingKeyColumnName = null)
    {
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The holdout fraction must be in (0, 1).");
        return new SweepEvaluation(1, fraction, samplingKeyColumnName);
    }

    /// <inheritdoc />
    public override string ToString() => IsCrossValidation
        ? string.Create(CultureInfo.InvariantCulture, $"{Folds}-fold cross-validation")
        : string.Create(CultureInfo.InvariantCulture, $"holdout of {HoldoutFraction:P0}");
}
