namespace MLNet.AdamW.Sweeps;

/// <summary>
/// An <see cref="IStudyStore"/> in the process's memory: thread-safe (one lock), with the contract's exact
/// semantics, and gone when the process ends. For tests, notebooks and one-process sweeps whose trials need
/// not outlive the process (the one-call tuner uses it); use the SQLite or PostgreSQL store to keep a study.
/// </summary>
public sealed class InMemoryStudyStore : IStudyStore
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, StudyInfo> _studies = new(StringComparer.Ordinal);
    private readonly Dictionary<long, SortedDictionary<int, Trial>> _trials = [];
    private long _nextId = 1;

    /// <summary>An empty store on the system clock.</summary>
    public InMemoryStudyStore()
        : this(TimeProvider.System)
    {
    }

    /// <summary>An empty store on <paramref name="clock"/> (heartbeats, staleness and timestamps).</summary>
    public InMemoryStudyStore(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
    }

    /// <summary>How many attempts of a trial died (were re-queued as stale), by study id and trial number.</summary>
    public int DeadAttempts(long studyId, int number)
    {
        lock (_gate)
            return Trials(studyId).TryGetValue(number, out var trial) ? trial.DeadAttempts : 0;
    }

    /// <inheritdoc />
    public StudyInfo CreateOrOpenStudy(StudyDefinition definition, bool allowMismatch = false)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrWhiteSpace(definition.Name);
        lock (_gate)
        {
            if (_studies.TryGetValue(definition.Name, out var existing))
            {
                if (!allowMismatch && StudyDefinitions.Differences(existing.Definition, definition) is { Length: > 0 } differences)
                    throw new StudyMismatchException(StudyDefinitions.MismatchMessage(definition.Name, differences));
                return existing;
            }
            var info = new StudyInfo(_nextId++, definition, _clock.GetUtcNow());
            _studies.Add(definition.Name, info);
            _trials.Add(info.Id, []);
            return info;
        }
    }

    /// <inheritdoc />
    public StudyInfo? FindStudy(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
            return _studies.GetValueOrDefault(name);
    }

    /// <inheritdoc />
    public IReadOnlyList<StudyInfo> ListStudies()
    {
        lock (_gate)
            return [.. _studies.Values.OrderBy(s => s.Definition.Name, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public TrialClaim? TryClaim(long studyId, string worker, int maxTrials, Func<int, TrialSpec> specForNumber)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(worker);
        ArgumentNullException.ThrowIfNull(specForNumber);
        lock (_gate)
        {
            var trials = Trials(studyId);
            var now = _clock.GetUtcNow();
            var waiting = trials.Values.FirstOrDefault(t => t.Status == TrialStatus.Waiting);
            if (waiting is not null)
            {
                waiting.Attempt++;
                waiting.Start(worker, now);
                return new TrialClaim(waiting.Number, waiting.Spec, waiting.Attempt);
            }
            var number = 0;
            while (trials.ContainsKey(number))
                number++;
            if (number >= maxTrials)
                return null;
            var trial = new Trial(number, specForNumber(number)) { Attempt = 1 };
            trial.Start(worker, now);
            trials.Add(number, trial);
            return new TrialClaim(number, trial.Spec, 1);
        }
    }

    /// <inheritdoc />
    public bool Heartbeat(long studyId, int number, string worker)
    {
        lock (_gate)
        {
            if (!Owns(studyId, number, worker, out var trial))
                return false;
            trial.Heartbeat = _clock.GetUtcNow();
            return true;
        }
    }

    /// <inheritdoc />
    public void ReportIntermediate(long studyId, int number, int epoch, double value)
    {
        lock (_gate)
        {
            if (!Trials(studyId).TryGetValue(number, out var trial))
                throw new ArgumentException($"Study {studyId} has no trial {number}.", nameof(number));
            trial.Intermediate[epoch] = value;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<double> IntermediateValuesAt(long studyId, int epoch)
    {
        lock (_gate)
            return [.. Trials(studyId).Values.Where(t => t.Intermediate.ContainsKey(epoch)).Select(t => t.Intermediate[epoch])];
    }

    /// <inheritdoc />
    public bool Finish(long studyId, int number, string worker, TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Status is not (TrialStatus.Complete or TrialStatus.Pruned or TrialStatus.Failed))
            throw new ArgumentException($"A trial finishes as Complete, Pruned or Failed, not {result.Status}.", nameof(result));
        lock (_gate)
        {
            if (!Owns(studyId, number, worker, out var trial))
                return false;
            trial.Status = result.Status;
            trial.Result = result;
            trial.Finished = _clock.GetUtcNow();
            return true;
        }
    }

    /// <inheritdoc />
    public int RequeueStale(long studyId, TimeSpan grace)
    {
        lock (_gate)
        {
            var cutoff = _clock.GetUtcNow() - grace;
            var count = 0;
            foreach (var trial in Trials(studyId).Values.Where(t => t.Status == TrialStatus.Running && t.Heartbeat < cutoff))
            {
                trial.Status = TrialStatus.Waiting;
                trial.DeadAttempts++;
                trial.Intermediate.Clear();
                count++;
            }
            return count;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<TrialRecord> GetTrials(long studyId)
    {
        lock (_gate)
            return [.. Trials(studyId).Values.Select(t => t.ToRecord())];
    }

    /// <summary>Nothing to release.</summary>
    public void Dispose()
    {
    }

    private SortedDictionary<int, Trial> Trials(long studyId) =>
        _trials.TryGetValue(studyId, out var trials) ? trials : throw new ArgumentException($"The store has no study with id {studyId}.", nameof(studyId));

    private bool Owns(long studyId, int number, string worker, out Trial trial)
    {
        trial = Trials(studyId).GetValueOrDefault(number)!;
        return trial is not null && trial.Status == TrialStatus.Running && string.Equals(trial.Worker, worker, StringComparison.Ordinal);
    }

    private sealed class Trial(int number, TrialSpec spec)
    {
        public int Number { get; } = number;

        public TrialSpec Spec { get; } = spec;

        public TrialStatus Status { get; set; } = TrialStatus.Waiting;

        public int Attempt { get; set; }

        public int DeadAttempts { get; set; }

        public string? Worker { get; private set; }

        public TrialResult? Result { get; set; }

        public DateTimeOffset? Started { get; private set; }

        public DateTimeOffset? Finished { get; set; }

        public DateTimeOffset Heartbeat { get; set; }

        public SortedDictionary<int, double> Intermediate { get; } = [];

        public void Start(string worker, DateTimeOffset now)
        {
            Status = TrialStatus.Running;
            Worker = worker;
            Started = now;
            Heartbeat = now;
            Finished = null;
            Result = null;
        }

        public TrialRecord ToRecord() => new(Number, Status, Spec, Attempt, Worker, Result, Started, Finished,
            [.. Intermediate.Select(p => new IntermediateValue(p.Key, p.Value))]);
    }
}
