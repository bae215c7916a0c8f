namespace MLNet.AdamW.Sweeps;

/// <summary>
/// Where studies and their trials live, shared by every worker of a study: a SQLite file on one
/// machine, a PostgreSQL database across machines. Every method is atomic and safe to call from
/// several threads and processes at once; a crash between two calls loses nothing already written.
/// </summary>
/// <remarks>
/// A worker's life: <see cref="CreateOrOpenStudy"/>, then repeatedly <see cref="TryClaim"/> →
/// (<see cref="Heartbeat"/> and <see cref="ReportIntermediate"/> while training) → <see cref="Finish"/>,
/// until <see cref="TryClaim"/> returns null. Any worker calls <see cref="RequeueStale"/> now and then,
/// so trials of dead workers run again.
/// </remarks>
public interface IStudyStore : IDisposable
{
    /// <summary>
    /// Creates the study, or opens it when one of that name exists. An existing study whose search
    /// space, data, metric, direction, strategy or seed differ is refused with a
    /// <see cref="StudyMismatchException"/> naming what differs, unless <paramref name="allowMismatch"/>.
    /// </summary>
    StudyInfo CreateOrOpenStudy(StudyDefinition definition, bool allowMismatch = false);

    /// <summary>The study of that name, or null.</summary>
    StudyInfo? FindStudy(string name);

    /// <summary>Every study in the store, by name.</summary>
    IReadOnlyList<StudyInfo> ListStudies();

    /// <summary>
    /// Atomically gives this worker one trial to run, marking it <see cref="TrialStatus.Running"/> with a
    /// fresh heartbeat: the lowest-numbered <see cref="TrialStatus.Waiting"/> trial first (a re-queued one
    /// keeps its spec and counts one more attempt); otherwise a new trial with the lowest unused number
    /// below <paramref name="maxTrials"/>, whose spec <paramref name="specForNumber"/> gives. Null when the
    /// study has <paramref name="maxTrials"/> trials and none waits. No two calls, in any processes, ever
    /// get the same trial while it runs.
    /// </summary>
    TrialClaim? TryClaim(long studyId, string worker, int maxTrials, Func<int, TrialSpec> specForNumber);

    /// <summary>
    /// Records that <paramref name="worker"/> is alive and still running the trial (the store's clock).
    /// Returns false when the trial is no longer this worker's (it was re-queued as stale): the worker
    /// must abandon it without finishing it.
    /// </summary>
    bool Heartbeat(long studyId, int number, string worker);

    /// <summary>Writes (or overwrites, for a rerun) the trial's metric after an epoch, at once.</summary>
    void ReportIntermediate(long studyId, int number, int epoch, double value);

    /// <summary>
    /// The intermediate value at <paramref name="epoch"/> of every trial of the study that reported one,
    /// whatever its status (successive halving ranks a trial among these at each rung).
    /// </summary>
    IReadOnlyList<double> IntermediateValuesAt(long studyId, int epoch);

    /// <summary>
    /// Ends the trial with its result. Returns false, writing nothing, when the trial is no longer this
    /// worker's run (it was re-queued and another worker may have it).
    /// </summary>
    bool Finish(long studyId, int number, string worker, TrialResult result);

    /// <summary>
    /// Re-queues (as <see cref="TrialStatus.Waiting"/>, with the same spec) every running trial whose
    /// last heartbeat is older than <paramref name="grace"/> by the store's clock, recording the dead
    /// attempt; their intermediate values are cleared. Returns how many.
    /// </summary>
    int RequeueStale(long studyId, TimeSpan grace);

    /// <summary>Every trial of the study, by number.</summary>
    IReadOnlyList<TrialRecord> GetTrials(long studyId);
}
