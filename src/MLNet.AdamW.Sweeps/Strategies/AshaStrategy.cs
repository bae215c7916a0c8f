using System.Text.Json.Nodes;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter Tuning",
/// MLSys 2020) with epochs as the resource. Rungs sit at r·η^k epochs (k = 0, 1, … while below the maximum);
/// when a trial reaches a rung it is compared with every value reported at that rung so far (its own
/// included): it continues if its validation loss is among the best ⌊n/η⌋ of those n values (the first trial
/// at a rung always continues, as in Optuna's pruner), otherwise it stops there as <see cref="TrialStatus.Pruned"/>.
/// </summary>
/// <remarks>
/// <para>The ranking signal is the trainer's validation loss after the epoch (the loss on the fold's held-out
/// rows, lower is better), which the training loop measures every epoch; the trial's recorded value is still
/// the study's metric, measured on the model as it stood when it stopped.</para>
/// <para>With cross-validation, a trial is ranked and stopped on its first fold: a trial pruned there runs
/// no other fold, and its value is that fold's; a trial that passes every rung runs the remaining folds in
/// full. With a holdout the holdout is the only fold.</para>
/// <para>Cost: a trial stopped at rung k trains r·η^k epochs, one that is never stopped trains the maximum
/// (on each fold); the study's result adds them up (<see cref="StudyResult.EpochsTrained"/>). Its decisions
/// depend on the values reported before it: with one worker they are a function of the seed; with several
/// they depend on which trials reach a rung first, as in every asynchronous successive halving.</para>
/// </remarks>
public sealed class AshaStrategy : SweepStrategy
{
    private readonly GridStrategy? _grid;

    internal AshaStrategy(int minEpochs, int reductionFactor, int maxEpochs, bool overGrid)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minEpochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(reductionFactor, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpochs, minEpochs);
        MinEpochs = minEpochs;
        ReductionFactor = reductionFactor;
        MaxEpochs = maxEpochs;
        OverGrid = overGrid;
        _grid = overGrid ? new GridStrategy() : null;
        var rungs = new List<int>();
        for (long rung = minEpochs; rung < maxEpochs; rung *= reductionFactor)
            rungs.Add((int)rung);
        Rungs = rungs;
    }

    /// <summary>The first rung, r.</summary>
    public int MinEpochs { get; }

    /// <summary>η.</summary>
    public int ReductionFactor { get; }

    /// <summary>The epochs of a trial never stopped.</summary>
    public int MaxEpochs { get; }

    /// <summary>Whether trials visit the grid's cells rather than random draws.</summary>
    public bool OverGrid { get; }

    /// <summary>The epochs at which trials are ranked: r·η^k below <see cref="MaxEpochs"/>, ascending.</summary>
    public IReadOnlyList<int> Rungs { get; }

    /// <summary>
    /// Whether a trial whose validation loss at a rung is <paramref name="value"/> continues, given every loss
    /// reported at that rung so far (<paramref name="reportedAtRung"/>, its own included).
    /// </summary>
    public bool Continues(double value, IReadOnlyList<double> reportedAtRung)
    {
        ArgumentNullException.ThrowIfNull(reportedAtRung);
        if (double.IsNaN(value))
            return false;
        var sorted = reportedAtRung.Where(v => !double.IsNaN(v)).Order().ToArray();
        var kept = Math.Max(1, sorted.Length / ReductionFactor);
        return sorted.Length == 0 || value <= sorted[Math.Min(kept, sorted.Length) - 1];
    }

    private protected override JsonObject Describe() => new()
    {
        ["kind"] = "asha",
        ["minEpochs"] = MinEpochs,
        ["reductionFactor"] = ReductionFactor,
        ["maxEpochs"] = MaxEpochs,
        ["overGrid"] = OverGrid,
    };

    internal override int? Epochs => MaxEpochs;

    internal override int TrialCount(int requested, long? gridSize) => _grid?.TrialCount(requested, gridSize) ?? requested;

    internal override object?[] Values(IReadOnlyList<Dimension> dimensions, int seed, int number) =>
        _grid?.CellValues(dimensions, seed, number) ?? RandomValues(dimensions, seed, number);
}
