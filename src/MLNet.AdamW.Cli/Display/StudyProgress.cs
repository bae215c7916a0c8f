using MLNet.AdamW.Sweeps;

using System.Globalization;

namespace MLNet.AdamW.Cli.Display;

/// <summary>Where a study stands, counted from its trials: what the progress display shows.</summary>
/// <param name="Total">The study's trials in all.</param>
/// <param name="Complete">Trained to the end.</param>
/// <param name="Pruned">Stopped early by successive halving.</param>
/// <param name="Failed">Ended with an error.</param>
/// <param name="Running">Claimed by a worker now.</param>
/// <param name="BestValue">The best metric of a complete trial so far.</param>
/// <param name="BestTrial">Its number.</param>
/// <param name="Remaining">An estimate of the time left: the trials not done × their mean fit time so far ÷ the workers; null before any ends.</param>
internal sealed record StudyProgress(int Total, int Complete, int Pruned, int Failed, int Running, double? BestValue, int? BestTrial, TimeSpan? Remaining)
{
    /// <summary>Trials that ended, whichever way.</summary>
    public int Done => Complete + Pruned + Failed;

    /// <summary>Counts the trials of a study with <paramref name="total"/> trials shared by <paramref name="workers"/> workers.</summary>
    public static StudyProgress Of(IReadOnlyList<TrialRecord> trials, int total, int workers, bool maximize)
    {
        var ended = trials.Where(t => t.Status is TrialStatus.Complete or TrialStatus.Pruned or TrialStatus.Failed && t.Result is not null).ToList();
        var best = trials.Where(t => t.Status == TrialStatus.Complete && t.Result?.Value is { } v && double.IsFinite(v))
            .OrderBy(t => maximize ? -t.Result!.Value!.Value : t.Result!.Value!.Value).ThenBy(t => t.Number)
            .FirstOrDefault();
        TimeSpan? remaining = null;
        if (ended.Count > 0)
        {
            var mean = ended.Average(t => t.Result!.FitTime.TotalSeconds);
            var left = Math.Max(0, total - ended.Count);
            remaining = TimeSpan.FromSeconds(mean * left / Math.Max(1, Math.Min(workers, Math.Max(left, 1))));
        }
        return new StudyProgress(
            total,
            trials.Count(t => t.Status == TrialStatus.Complete),
            trials.Count(t => t.Status == TrialStatus.Pruned),
            trials.Count(t => t.Status == TrialStatus.Failed),
            trials.Count(t => t.Status == TrialStatus.Running),
            best?.Result!.Value,
            best?.Number,
            remaining);
    }

    /// <summary>One line: counts, the best so far and the time left.</summary>
    public string Describe(string metric)
    {
        var best = BestValue is { } b ? string.Create(CultureInfo.InvariantCulture, $"best {metric} {b:G5} (trial {BestTrial})") : $"best {metric} –";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Done}/{Total} done: {Complete} complete, {Pruned} pruned, {Failed} failed; {Running} running; {best}; ETA {FormatRemaining(Remaining)}");
    }

    private static string FormatRemaining(TimeSpan? remaining) => remaining switch
    {
        null => "–",
        { TotalHours: >= 1 } r => r.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture),
        { } r => r.ToString(@"m\:ss", CultureInfo.InvariantCulture),
    };
}
