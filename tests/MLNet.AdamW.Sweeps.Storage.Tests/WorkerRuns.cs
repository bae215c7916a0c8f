using System.Data.Common;
using System.Globalization;

namespace MLNet.AdamW.Sweeps.Storage.Tests;

/// <summary>What the process tests check of a finished study: every trial ended once, and the same leaderboard.</summary>
internal static class WorkerRuns
{
    public const string Study = "fake-sweep";

    /// <summary>The leaderboard without what depends on timing and workers (fit time, worker, attempt, times).</summary>
    public static IReadOnlyList<string> Leaderboard(IStudyStore store, string name = Study)
    {
        var study = store.FindStudy(name) ?? throw new InvalidOperationException($"The study {name} does not exist.");
        return store.GetTrials(study.Id).Select(t => string.Join(' ',
            t.Number.ToString(CultureInfo.InvariantCulture), t.Status, t.Spec.ParametersJson, t.Spec.Seed.ToString(CultureInfo.InvariantCulture),
            R(t.Result?.Value), R(t.Result?.StandardDeviation), string.Join(',', (t.Result?.FoldValues ?? []).Select(v => R(v))),
            t.Result?.EpochsRun.ToString(CultureInfo.InvariantCulture),
            string.Join(',', t.Intermediate.Select(i => $"{i.Epoch.ToString(CultureInfo.InvariantCulture)}:{R(i.Value)}")))).ToList();
    }

    /// <summary>
    /// Every trial of the study is complete, had exactly one attempt that completed, every other one
    /// re-queued as stale, and no worker process said it finished a trial that another also finished.
    /// </summary>
    public static IReadOnlyList<TrialRecord> AssertEveryTrialRanToTheEndExactlyOnce(
        IStudyStore store, int trials, IEnumerable<(int Number, int Attempt, string? Outcome)> attempts, IEnumerable<WorkerProcess> workers, string name = Study)
    {
        var study = store.FindStudy(name)!;
        var records = store.GetTrials(study.Id);
        Assert.Equal(Enumerable.Range(0, trials), records.Select(t => t.Number));
        Assert.All(records, t => Assert.Equal(TrialStatus.Complete, t.Status));
        var byTrial = attempts.GroupBy(a => a.Number).ToDictionary(g => g.Key, g => g.OrderBy(a => a.Attempt).ToList());
        foreach (var trial in records)
        {
            var history = byTrial[trial.Number];
            Assert.Equal(Enumerable.Range(1, trial.Attempt), history.Select(a => a.Attempt));
            Assert.Equal([.. Enumerable.Repeat("Stale", trial.Attempt - 1), "Complete"], history.Select(a => a.Outcome));
        }
        var finishedLines = workers.SelectMany(w => w.Numbers("finished")).ToList();
        Assert.Equal(finishedLines.Distinct().Count(), finishedLines.Count);
        return records;
    }

    /// <summary>Every attempt of every trial in the store's attempts table: (trial, attempt, how it ended).</summary>
    public static List<(int Number, int Attempt, string? Outcome)> Attempts(DbConnection connection)
    {
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT number, attempt, outcome FROM attempts ORDER BY number, attempt";
        using var reader = command.ExecuteReader();
        var attempts = new List<(int, int, string?)>();
        while (reader.Read())
            attempts.Add((reader.GetInt32(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        return attempts;
    }

    private static string R(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "-";
}
