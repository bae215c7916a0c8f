namespace MLNet.AdamW.Sweeps;

/// <summary>Where a trial of a study stands.</summary>
public enum TrialStatus
{
    /// <summary>Queued: created (or re-queued after its worker died) and not yet claimed by a worker.</summary>
    Waiting = 0,

    /// <summary>Claimed by a worker, which is training it and sending heartbeats.</summary>
    Running = 1,

    /// <summary>Trained to the end; its metric is final.</summary>
    Complete = 2,

    /// <summary>Stopped early by the strategy (successive halving) at the epoch it records.</summary>
    Pruned = 3,

    /// <summary>Ended with an error (diverged, invalid options, an exception), recorded in its error text.</summary>
    Failed = 4,
}
