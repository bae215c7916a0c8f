using Npgsql;

namespace MLNet.AdamW.Sweeps.Storage.Tests;

/// <summary>Real worker processes sharing one study on a real PostgreSQL server: one killed, the server restarted.</summary>
[NeedsPostgres(Restart = true)]
public sealed class PostgresWorkerProcessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly PostgresServer.Schema _schema = new(needsRestart: true);

    private string ConnectionString => _schema.ConnectionString;

    private string Storage => "postgres:" + ConnectionString;

    private List<(int Number, int Attempt, string? Outcome)> Attempts()
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        return WorkerRuns.Attempts(connection);
    }

    [StoreFact]
    public void Three_workers_share_a_study_one_is_killed_mid_trial_and_every_trial_runs_to_the_end_once()
    {
        const int Trials = 9;
        var workers = Enumerable.Range(0, 3).Select(i => new WorkerProcess(Storage, WorkerRuns.Study, Trials, $"worker-{i}", 3, 100, 5000)).ToList();
        try
        {
            var victim = workers[0];
            Assert.True(victim.WaitFor(lines => lines.Any(l => l.StartsWith("claimed", StringComparison.Ordinal)), Patience), "the first worker never claimed a trial");
            Thread.Sleep(100); // inside its trial of 3 × 100 ms
            Assert.True(victim.Kill(), "the first worker ended before it could be killed");
            var killedIn = victim.Numbers("claimed")[^1];
            Assert.DoesNotContain(killedIn, victim.Numbers("finished"));
            workers[1].WaitForSuccess(Patience);
            workers[2].WaitForSuccess(Patience);

            using var store = new PostgresStudyStore(ConnectionString);
            var trials = WorkerRuns.AssertEveryTrialRanToTheEndExactlyOnce(store, Trials, Attempts(), workers);
            Assert.Equal(2, trials[killedIn].Attempt);
            Assert.NotEqual(victim.Worker, trials[killedIn].Worker);
            Assert.All(trials.Where(t => t.Number != killedIn), t => Assert.Equal(1, t.Attempt));
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [StoreFact]
    public void A_server_restarted_mid_sweep_loses_no_finished_trial_and_the_workers_go_on()
    {
        const int Trials = 10;
        var workers = Enumerable.Range(0, 2).Select(i => new WorkerProcess(Storage, WorkerRuns.Study, Trials, $"worker-{i}", 2, 150, 30_000)).ToList();
        try
        {
            Assert.True(workers[0].WaitFor(_ => workers.Sum(w => w.Numbers("finished").Count) >= 3, Patience), "the workers did not finish 3 trials");
            List<TrialRecord> before;
            using (var store = new PostgresStudyStore(ConnectionString))
                before = store.GetTrials(store.FindStudy(WorkerRuns.Study)!.Id).Where(t => t.Status == TrialStatus.Complete).ToList();

            PostgresServer.Restart();
            workers.ForEach(w => w.WaitForSuccess(Patience));

            using var after = new PostgresStudyStore(ConnectionString);
            var trials = WorkerRuns.AssertEveryTrialRanToTheEndExactlyOnce(after, Trials, Attempts(), workers);
            Assert.NotEmpty(before);
            Assert.True(before.Count < Trials, "the study ended before the restart");
            foreach (var finished in before)
            {
                var now = trials[finished.Number];
                Assert.Equal((finished.Worker, finished.Attempt, finished.Finished, finished.Result!.Value), (now.Worker, now.Attempt, now.Finished, now.Result!.Value));
            }
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    public void Dispose() => _schema.Dispose();
}
