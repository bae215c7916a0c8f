namespace MLNet.AdamW.Sweeps;

/// <summary>
/// What a new trial number is: its options and seed, a pure function of the study seed and the number
/// (never of timing), so that an interrupted sweep rerun gives the same trials.
/// </summary>
/// <param name="ParametersJson">The trial's option values as structured JSON (option name → value), exact, not rounded.</param>
/// <param name="Seed">The trial's training seed.</param>
/// <param name="LibraryVersion">The MLNet.AdamW version of the worker that creates it.</param>
/// <param name="DataFingerprint">The fingerprint of the data the worker trains on.</param>
public sealed record TrialSpec(string ParametersJson, int Seed, string LibraryVersion, string DataFingerprint);

/// <summary>A trial a worker has claimed and now owns: it must heartbeat and finish it.</summary>
/// <param name="Number">The trial number, 0-based, unique in the study.</param>
/// <param name="Spec">The trial's options and seed (for a re-queued trial: the original ones).</param>
/// <param name="Attempt">1 for a first run; 2, 3, … after its earlier workers stopped heartbeating.</param>
public sealed record TrialClaim(int Number, TrialSpec Spec, int Attempt);

/// <summary>One intermediate report: the validation metric after an epoch.</summary>
/// <param name="Epoch">The epoch (1-based) after which the value was measured.</param>
/// <param name="Value">The metric.</param>
public readonly record struct IntermediateValue(int Epoch, double Value);

/// <summary>How a trial ended.</summary>
/// <param name="Status"><see cref="TrialStatus.Complete"/>, <see cref="TrialStatus.Pruned"/> or <see cref="TrialStatus.Failed"/>.</param>
/// <param name="Value">The objective (mean over folds); for a pruned trial its last intermediate value; null when failed.</param>
/// <param name="StandardDeviation">The standard deviation over folds (0 for a holdout); null when failed.</param>
/// <param name="FoldValues">The metric of each fold (one value for a holdout); empty when failed.</param>
/// <param name="EpochsRun">Epochs trained (the last fold's, or where a pruned trial stopped).</param>
/// <param name="FitTime">Wall time the trial's training and evaluation took.</param>
/// <param name="Error">The error text of a failed trial (exception type and message); null otherwise.</param>
public sealed record TrialResult(
    TrialStatus Status,
    double? Value,
    double? StandardDeviation,
    IReadOnlyList<double> FoldValues,
    int EpochsRun,
    TimeSpan FitTime,
    string? Error);

/// <summary>A trial as its store holds it: one leaderboard row.</summary>
/// <param name="Number">The trial number, 0-based.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Spec">Its options and seed.</param>
/// <param name="Attempt">How many times it was claimed (1 when it never had to be re-queued).</param>
/// <param name="Worker">The worker that runs or ran it last; null while it waits for its first run.</param>
/// <param name="Result">How it ended; null while waiting or running.</param>
/// <param name="Started">When its current or last run was claimed (the store's clock).</param>
/// <param name="Finished">When it ended (the store's clock).</param>
/// <param name="Intermediate">Its intermediate reports, by epoch.</param>
public sealed record TrialRecord(
    int Number,
    TrialStatus Status,
    TrialSpec Spec,
    int Attempt,
    string? Worker,
    TrialResult? Result,
    DateTimeOffset? Started,
    DateTimeOffset? Finished,
    IReadOnlyList<IntermediateValue> Intermediate);
