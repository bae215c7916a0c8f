using System.Diagnostics;
using MLNet.AdamW.Sweeps;

/// <summary>
/// Forwards to a store and adds up the time its calls take: all of them, and those a worker makes while a
/// trial trains (heartbeats, intermediate reports), which the trial's own fit time includes.
/// </summary>
internal sealed class TimedStore(IStudyStore inner) : IStudyStore
{
    private long _ticks;
    private long _insideFitTicks;

    public TimeSpan Total => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    public TimeSpan InsideFit => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _insideFitTicks));

    public int Calls { get; private set; }

    private T Time<T>(Func<T> call, bool insideFit = false)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return call();
        }
        finally
        {
            var elapsed = Stopwatch.GetTimestamp() - start;
            Interlocked.Add(ref _ticks, elapsed);
            if (insideFit)
                Interlocked.Add(ref _insideFitTicks, elapsed);
            Calls++;
        }
    }

    public StudyInfo CreateOrOpenStudy(StudyDefinition definition, bool allowMismatch = false) => Time(() => inner.CreateOrOpenStudy(definition, allowMismatch));

    public StudyInfo? FindStudy(string name) => Time(() => inner.FindStudy(name));

    public IReadOnlyList<StudyInfo> ListStudies() => Time(inner.ListStudies);

    public TrialClaim? TryClaim(long studyId, string worker, int maxTrials, Func<int, TrialSpec> specForNumber)
        => Time(() => inner.TryClaim(studyId, worker, maxTrials, specForNumber));

    public bool Heartbeat(long studyId, int number, string worker) => Time(() => inner.Heartbeat(studyId, number, worker), insideFit: true);

    public void ReportIntermediate(long studyId, int number, int epoch, double value)
        => Time(() =>
        {
            inner.ReportIntermediate(studyId, number, epoch, value);
            return 0;
        }, insideFit: true);

    public IReadOnlyList<double> IntermediateValuesAt(long studyId, int epoch) => Time(() => inner.IntermediateValuesAt(studyId, epoch), insideFit: true);

    public bool Finish(long studyId, int number, string worker, TrialResult result) => Time(() => inner.Finish(studyId, number, worker, result));

    public int RequeueStale(long studyId, TimeSpan grace) => Time(() => inner.RequeueStale(studyId, grace));

    public IReadOnlyList<TrialRecord> GetTrials(long studyId) => Time(() => inner.GetTrials(studyId));

    public void Dispose() => inner.Dispose();
}
