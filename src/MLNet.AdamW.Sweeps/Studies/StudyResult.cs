using System.Globalization;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// A study's trials as a leaderboard: every trial with its options, metric mean ± std over folds, epochs run,
/// fit time, status, worker and error, the best complete trial, and what the study cost.
/// </summary>
public sealed class StudyResult
{
    internal StudyResult(StudyInfo study, IReadOnlyList<TrialRecord> records)
    {
        Study = study;
        Trials = [.. records.OrderBy(r => r.Number).Select(r => new TrialSummary(r))];
        var maximize = study.Definition.Maximize;
        Leaderboard = [.. Trials.OrderBy(Rank).ThenBy(t => t.Status == TrialStatus.Pruned ? -t.EpochsRun : 0)
            .ThenBy(t => t.Value is { } v ? (maximize ? -v : v) : double.PositiveInfinity).ThenBy(t => t.Number)];
        Best = Leaderboard.FirstOrDefault(t => t.Status == TrialStatus.Complete && t.Value is not null);
    }

    /// <summary>The study as its store holds it.</summary>
    public StudyInfo Study { get; }

    /// <summary>The study's name.</summary>
    public string Name => Study.Definition.Name;

    /// <summary>The metric's name.</summary>
    public string Metric => Study.Definition.Metric;

    /// <summary>Whether larger is better.</summary>
    public bool Maximize => Study.Definition.Maximize;

    /// <summary>Every trial, by number.</summary>
    public IReadOnlyList<TrialSummary> Trials { get; }

    /// <summary>
    /// Every trial, best first: complete trials by the metric, then pruned ones (those that went further first,
    /// then by the metric at their stop), then running, waiting and failed ones.
    /// </summary>
    public IReadOnlyList<TrialSummary> Leaderboard { get; }

    /// <summary>The best complete trial, or null when none completed.</summary>
    public TrialSummary? Best { get; }

    /// <summary>How many trials have each status.</summary>
    public int Count(TrialStatus status) => Trials.Count(t => t.Status == status);

    /// <summary>Epochs trained by the finished trials, over every fold they ran (a trial's epochs × its folds).</summary>
    public long EpochsTrained => Trials.Where(t => t.Record.Result is not null).Sum(t => (long)t.EpochsRun * Math.Max(1, t.FoldValues.Count));

    /// <summary>The finished trials' fit times added up.</summary>
    public TimeSpan TotalFitTime => Trials.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.FitTime);

    /// <summary>The leaderboard of the study named <paramref name="name"/> in <paramref name="store"/>.</summary>
    /// <exception cref="ArgumentException">No study of that name.</exception>
    public static StudyResult FromStore(IStudyStore store, string name)
    {
        ArgumentNullException.ThrowIfNull(store);
        var study = store.FindStudy(name) ?? throw new ArgumentException(
            $"The store has no study \"{name}\"; its studies: {string.Join(", ", store.ListStudies().Select(s => s.Definition.Name))}.", nameof(name));
        return new StudyResult(study, store.GetTrials(study.Id));
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: {Trials.Count} trials ({Count(TrialStatus.Complete)} complete, {Count(TrialStatus.Pruned)} pruned, {Count(TrialStatus.Failed)} failed), best {Metric} {Best?.ValueText ?? "—"}");

    private static int Rank(TrialSummary trial) => trial.Status switch
    {
        TrialStatus.Complete => trial.Value is null ? 5 : 0,
        TrialStatus.Pruned => 1,
        TrialStatus.Running => 2,
        TrialStatus.Waiting => 3,
        _ => 4,
    };
}
