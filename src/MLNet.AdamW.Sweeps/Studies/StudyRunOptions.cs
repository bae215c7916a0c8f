namespace MLNet.AdamW.Sweeps;

/// <summary>How one worker runs a study's trials.</summary>
public sealed class StudyRunOptions
{
    /// <summary>This worker's name in the store.</summary>
    /// <value>Default "machine:process-id:random": unique per worker.</value>
    public string Worker { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>How often a running trial tells the store its worker is alive.</summary>
    /// <value>Default 5 s.</value>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A running trial whose last heartbeat is older than this is taken as dead and re-queued (by any worker, before it claims).</summary>
    /// <value>Default 30 s: six missed heartbeats, so a busy machine is not mistaken for a dead worker.</value>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When no trial is left to claim but others are still running, keep polling (every heartbeat interval),
    /// so that a trial whose worker died is re-queued and run here; false returns at once.
    /// </summary>
    /// <value>Default true: the study is complete when <see cref="Study{TOptions}.Run"/> returns.</value>
    public bool WaitForRunningTrials { get; set; } = true;

    /// <summary>Stop claiming trials once this much time has passed (the trial running then still finishes); null for no limit.</summary>
    /// <value>Default null.</value>
    public TimeSpan? TimeBudget { get; set; }

    /// <summary>Run at most this many trials in this call; null for no limit.</summary>
    /// <value>Default null.</value>
    public int? MaxTrialsThisRun { get; set; }

    /// <summary>Told about each trial this worker finished (its record as the store holds it).</summary>
    /// <value>Default null.</value>
    public IProgress<TrialRecord>? Progress { get; set; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Worker, nameof(Worker));
        if (HeartbeatInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), HeartbeatInterval, $"{nameof(HeartbeatInterval)} must be positive.");
        if (StaleAfter <= HeartbeatInterval)
            throw new ArgumentOutOfRangeException(nameof(StaleAfter), StaleAfter, $"{nameof(StaleAfter)} must be longer than {nameof(HeartbeatInterval)} ({HeartbeatInterval}).");
        if (TimeBudget is { } budget && budget <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(TimeBudget), budget, $"{nameof(TimeBudget)} must be positive, or null.");
        if (MaxTrialsThisRun is { } max && max < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTrialsThisRun), max, $"{nameof(MaxTrialsThisRun)} must be ≥ 1, or null.");
    }
}
