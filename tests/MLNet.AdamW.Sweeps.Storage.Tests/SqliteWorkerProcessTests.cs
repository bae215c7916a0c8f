using Microsoft.Data.Sqlite;

namespace MLNet.AdamW.Sweeps.Storage.Tests;

/// <summary>Real worker processes on one SQLite file: killed with SIGKILL, rerun, run side by side.</summary>
public sealed class SqliteWorkerProcessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly TempFolder _folder = new();

    private static List<(int Number, int Attempt, string? Outcome)> Attempts(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        return WorkerRuns.Attempts(connection);
    }

    [Fact]
    public void A_worker_killed_at_random_moments_and_rerun_completes_every_trial_once_with_the_uninterrupted_results()
    {
        const int Trials = 10, Epochs = 3, EpochMs = 60, GraceMs = 1000;
        var reference = _folder.File("reference.db");
        using (var uninterrupted = new WorkerProcess("sqlite:" + reference, WorkerRuns.Study, Trials, "reference", Epochs, EpochMs, GraceMs))
            uninterrupted.WaitForSuccess(Patience);

        var path = _folder.File("sweep.db");
        var workers = new List<WorkerProcess>();
        var moments = new Random(20261201);
        var kills = 0;
        try
        {
            for (var run = 0; run < 4; run++)
            {
                var worker = new WorkerProcess("sqlite:" + path, WorkerRuns.Study, Trials, $"run-{run}", Epochs, EpochMs, GraceMs);
                workers.Add(worker);
                // A random moment once it works: mostly inside a trial, sometimes between two.
                worker.WaitFor(lines => lines.Any(l => l.StartsWith("claimed", StringComparison.Ordinal)), Patience);
                Thread.Sleep(moments.Next(0, 400));
                if (worker.Kill())
                    kills++;
            }
            var last = new WorkerProcess("sqlite:" + path, WorkerRuns.Study, Trials, "rerun", Epochs, EpochMs, GraceMs);
            workers.Add(last);
            last.WaitForSuccess(Patience);

            Assert.True(kills >= 3, $"only {kills} of the 4 runs were still working when killed");
            using var store = new SqliteStudyStore(path);
            var trials = WorkerRuns.AssertEveryTrialRanToTheEndExactlyOnce(store, Trials, Attempts(path), workers);
            Assert.Contains(trials, t => t.Attempt > 1); // a killed trial ran again
            using var referenceStore = new SqliteStudyStore(reference);
            Assert.Equal(WorkerRuns.Leaderboard(referenceStore), WorkerRuns.Leaderboard(store));
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public void A_real_sweep_killed_at_random_moments_and_rerun_completes_with_the_uninterrupted_leaderboard()
    {
        const int Trials = 8, StaleAfterMs = 2000;
        const string Study = "engine-sweep";
        var reference = _folder.File("reference.db");
        using (var uninterrupted = WorkerProcess.Engine("sqlite:" + reference, Trials, "reference", StaleAfterMs))
            uninterrupted.WaitForSuccess(Patience);

        var path = _folder.File("sweep.db");
        var workers = new List<WorkerProcess>();
        var moments = new Random(8);
        var kills = 0;
        try
        {
            for (var run = 0; run < 3; run++)
            {
                var worker = WorkerProcess.Engine("sqlite:" + path, Trials, $"run-{run}", StaleAfterMs);
                workers.Add(worker);
                // A random moment inside a trial: shortly after the worker finished 0, 1 or 2 trials, whatever
                // the machine's speed.
                var finished = moments.Next(0, 3);
                worker.WaitFor(lines => lines.Contains("started") && lines.Count(l => l.StartsWith("finished", StringComparison.Ordinal)) >= finished, Patience);
                Thread.Sleep(moments.Next(10, 60));
                if (worker.Kill())
                    kills++;
            }
            var last = WorkerProcess.Engine("sqlite:" + path, Trials, "rerun", StaleAfterMs);
            workers.Add(last);
            last.WaitForSuccess(Patience);

            Assert.True(kills >= 2, $"only {kills} of the 3 runs were still working when killed");
            using var store = new SqliteStudyStore(path);
            var trials = WorkerRuns.AssertEveryTrialRanToTheEndExactlyOnce(store, Trials, Attempts(path), workers, Study);
            Assert.Contains(trials, t => t.Attempt > 1); // a killed trial ran again
            using var referenceStore = new SqliteStudyStore(reference);
            Assert.Equal(WorkerRuns.Leaderboard(referenceStore, Study), WorkerRuns.Leaderboard(store, Study));
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [Fact]
    public void Two_worker_processes_on_one_file_run_every_trial_exactly_once()
    {
        const int Trials = 12;
        var path = _folder.File("sweep.db");
        using var first = new WorkerProcess("sqlite:" + path, WorkerRuns.Study, Trials, "first", 2, 40, 5000);
        using var second = new WorkerProcess("sqlite:" + path, WorkerRuns.Study, Trials, "second", 2, 40, 5000);
        first.WaitForSuccess(Patience);
        second.WaitForSuccess(Patience);

        using var store = new SqliteStudyStore(path);
        var trials = WorkerRuns.AssertEveryTrialRanToTheEndExactlyOnce(store, Trials, Attempts(path), [first, second]);
        Assert.All(trials, t => Assert.Equal(1, t.Attempt));
        Assert.Equal(Enumerable.Range(0, Trials), first.Numbers("finished").Concat(second.Numbers("finished")).Order());
        Assert.All(trials, t => Assert.Equal(t.Worker == "first", first.Numbers("finished").Contains(t.Number)));
    }

    public void Dispose() => _folder.Dispose();
}
