using System.Collections.Concurrent;

namespace MLNet.AdamW.Sweeps.Storage.Tests;

/// <summary>
/// What every <see cref="IStudyStore"/> must do, whatever keeps its data. A store passes by deriving a
/// class that gives handles on a fresh, empty store per test (xunit makes one instance per test).
/// </summary>
public abstract class StudyStoreContract : IDisposable
{
    private readonly List<IStudyStore> _handles = [];

    /// <summary>A new handle on this test's store: the same studies and trials as every other handle of the test.</summary>
    protected abstract IStudyStore CreateHandle();

    /// <summary>A handle, disposed with the test.</summary>
    protected IStudyStore Open()
    {
        var store = CreateHandle();
        lock (_handles)
            _handles.Add(store);
        return store;
    }

    /// <summary>Lets the store's clock pass the heartbeat of every running trial, so a grace of zero re-queues them.</summary>
    private static void LetHeartbeatsAge() => Thread.Sleep(30);

    [StoreFact]
    public void A_study_is_created_once_then_opened_by_every_later_call()
    {
        var store = Open();
        Assert.Empty(store.ListStudies());
        Assert.Null(store.FindStudy("adamw-lr-wd"));

        var created = store.CreateOrOpenStudy(Studies.Definition());
        var opened = Open().CreateOrOpenStudy(Studies.Definition());
        var other = store.CreateOrOpenStudy(Studies.Definition("a-first-by-name"));

        Assert.Equal(created, opened);
        Assert.Equal(Studies.Definition(), created.Definition);
        Assert.NotEqual(created.Id, other.Id);
        Assert.Equal(created, store.FindStudy("adamw-lr-wd"));
        Assert.Equal(["a-first-by-name", "adamw-lr-wd"], store.ListStudies().Select(s => s.Definition.Name));
        Assert.InRange(created.Created, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
    }

    [StoreFact]
    public void A_study_opened_with_a_different_definition_is_refused_naming_what_differs()
    {
        var store = Open();
        var stored = store.CreateOrOpenStudy(Studies.Definition());
        var original = Studies.Definition();
        var changes = new (StudyDefinition Changed, string Named)[]
        {
            (original with { SearchSpaceJson = """{"LearningRate":{"kind":"grid","values":[0.001]}}""", SearchSpaceFingerprint = "space-0000" }, "search space"),
            (original with { DataFingerprint = "data-0000" }, "data"),
            (original with { Metric = "Accuracy" }, "metric"),
            (original with { Maximize = false }, "direction"),
            (original with { StrategyJson = """{"kind":"grid"}""" }, "strategy"),
            (original with { Seed = 43 }, "seed"),
        };
        foreach (var (changed, named) in changes)
        {
            var error = Assert.Throws<StudyMismatchException>(() => store.CreateOrOpenStudy(changed));
            Assert.Contains(named, error.Message, StringComparison.Ordinal);
            Assert.Contains("adamw-lr-wd", error.Message, StringComparison.Ordinal);

            // Allowed, the caller joins the study as it was created.
            Assert.Equal(stored, store.CreateOrOpenStudy(changed, allowMismatch: true));
        }
        Assert.Equal(original, store.FindStudy("adamw-lr-wd")!.Definition);
        // A newer library continues the study: the version is recorded, not compared.
        Assert.Equal(stored, store.CreateOrOpenStudy(original with { LibraryVersion = "0.2.0" }));
    }

    [StoreFact]
    public void Trials_are_numbered_from_zero_with_their_spec_and_no_more_than_the_study_total()
    {
        var store = Open();
        var study = store.CreateOrOpenStudy(Studies.Definition());
        var claims = Enumerable.Range(0, 4).Select(_ => store.TryClaim(study.Id, "w1", 3, Studies.Spec)).ToList();

        Assert.Equal([0, 1, 2], claims.Take(3).Select(c => c!.Number));
        Assert.All(claims.Take(3), c => Assert.Equal(Studies.Spec(c!.Number), c.Spec));
        Assert.All(claims.Take(3), c => Assert.Equal(1, c!.Attempt));
        Assert.Null(claims[3]);
        var trials = store.GetTrials(study.Id);
        Assert.All(trials, t => Assert.Equal((TrialStatus.Running, "w1", 1), (t.Status, t.Worker, t.Attempt)));
        Assert.All(trials, t => Assert.Equal(Studies.Spec(t.Number), t.Spec));
        Assert.All(trials, t => Assert.NotNull(t.Started));
        // A larger total lets the study grow; the total is the study's, not per call.
        Assert.Equal(3, store.TryClaim(study.Id, "w2", 4, Studies.Spec)!.Number);
        Assert.Null(store.TryClaim(study.Id, "w2", 4, Studies.Spec));
    }

    [StoreFact]
    public void Claims_are_never_duplicated_by_many_threads_on_many_handles()
    {
        const int Trials = 48;
        var study = Open().CreateOrOpenStudy(Studies.Definition());
        var claimed = new ConcurrentBag<(int Number, string Worker)>();
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var store = Open();
            var worker = $"thread-{t}";
            while (store.TryClaim(study.Id, worker, Trials, Studies.Spec) is { } claim)
            {
                claimed.Add((claim.Number, worker));
                Assert.True(store.Finish(study.Id, claim.Number, worker, Studies.Complete(claim.Number)));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(Enumerable.Range(0, Trials), claimed.Select(c => c.Number).Order());
        var trials = Open().GetTrials(study.Id);
        Assert.Equal(Enumerable.Range(0, Trials), trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.Equal((TrialStatus.Complete, 1, (double?)t.Number), (t.Status, t.Attempt, t.Result!.Value)));
        Assert.All(trials, t => Assert.Equal(claimed.Single(c => c.Number == t.Number).Worker, t.Worker));
    }

    [StoreFact]
    public void A_waiting_trial_is_claimed_before_a_new_one_with_its_original_spec_and_one_more_attempt()
    {
        var store = Open();
        var study = store.CreateOrOpenStudy(Studies.Definition());
        store.TryClaim(study.Id, "dead", 10, Studies.Spec);
        store.TryClaim(study.Id, "dead", 10, Studies.Spec);
        LetHeartbeatsAge();
        Assert.Equal(2, store.RequeueStale(study.Id, TimeSpan.Zero));
        Assert.All(store.GetTrials(study.Id), t => Assert.Equal((TrialStatus.Waiting, 1), (t.Status, t.Attempt)));

        // Re-queued trials keep their spec: the spec function is only asked for new numbers.
        TrialSpec OnlyNew(int number) => number >= 2 ? Studies.Spec(number) : throw new InvalidOperationException($"asked for trial {number}'s spec again");
        var first = store.TryClaim(study.Id, "alive", 10, OnlyNew)!;
        var second = store.TryClaim(study.Id, "alive", 10, OnlyNew)!;
        var third = store.TryClaim(study.Id, "alive", 10, OnlyNew)!;

        Assert.Equal((0, 2, Studies.Spec(0)), (first.Number, first.Attempt, first.Spec));
        Assert.Equal((1, 2, Studies.Spec(1)), (second.Number, second.Attempt, second.Spec));
        Assert.Equal((2, 1), (third.Number, third.Attempt));
        Assert.Equal([2, 2, 1], store.GetTrials(study.Id).Select(t => t.Attempt));
        Assert.All(store.GetTrials(study.Id), t => Assert.Equal(("alive", TrialStatus.Running), (t.Worker, t.Status)));
    }

    [StoreFact]
    public void The_study_is_done_when_it_has_its_total_and_none_waits()
    {
        var store = Open();
        var study = store.CreateOrOpenStudy(Studies.Definition());
        var claim = store.TryClaim(study.Id, "w", 1, Studies.Spec)!;
        Assert.Null(store.TryClaim(study.Id, "w", 1, Studies.Spec));
        LetHeartbeatsAge();
        Assert.Equal(1, store.RequeueStale(study.Id, TimeSpan.Zero));
        Assert.Equal(claim.Number, store.TryClaim(study.Id, "w", 1, Studies.Spec)!.Number);
        Assert.True(store.Finish(study.Id, claim.Number, "w", Studies.Complete(0.9)));
        Assert.Null(store.TryClaim(study.Id, "w", 1, Studies.Spec));
        Assert.Null(store.TryClaim(study.Id, "w", 0, Studies.Spec));
    }

    [StoreFact]
    public void A_heartbeat_is_true_while_the_worker_owns_the_trial_and_false_once_it_was_re_queued()
    {
        var store = Open();
        var study = store.CreateOrOpenStudy(Studies.Definition());
        var claim = store.TryClaim(study.Id, "w1", 5, Studies.Spec)!;

        Assert.True(store.Heartbeat(study.Id, claim.Number, "w1"));
        Assert.False(store.Heartbeat(study.Id, claim.Number, "w2"));
        Assert.False(store.Heartbeat(study.Id, 4, "w1"));
        LetHeartbeatsAge();
        Assert.Equal(1, store.RequeueStale(study.Id, TimeSpan.Zero));
        Assert.False(store.Heartbeat(study.Id, claim.Number, "w1"));
        store.TryClaim(study.Id, "w2", 5, Studies.Spec);
        Assert.False(store.Heartbeat(study.Id, claim.Number, "w1"));
        Assert.True(store.Heartbeat(study.Id, claim.Number, "w2"));
    }

    [StoreFact]
    public void Finish_is_refused_for_a_lost_trial_and_the_new_owner_s_result_is_kept()
    {
        var store = Open();
        var study = store.CreateOrOpenStudy(Studies.Definition());
        var lost = store.TryClaim(study.Id, "slow", 5, Studies.Spec)!;
        LetHeartbeatsAge();
        store.RequeueStale(study.Id, TimeSpan.Zero);

        Assert.False(store.Finish(study.Id, lost.Number, "slow", Studies.Complete(0.1)));
        Assert.Equal(TrialStatus.Waiting, store.GetTrials(study.Id).Single().Status);
        var rerun = store.TryClaim(study.Id, "fast", 5, Studies.Spec)!;
        Assert.False(store.Finish(study.Id, lost.Number, "slow", Studies.Complete(0.1)));
        Assert.True(store.Finish(study.Id, rerun.Number, "fast", Studies.Complete(0.8)));
        Assert.False(store.Finish(study.Id, lost.Number, "slow", Studies.Complete(0.1)));

        var trial = store.GetTrials(study.Id).Single();
        Assert.Equal((TrialStatus.Complete, "fast", 2, (double?)0.8), (trial.Status, trial.Worker, trial.Attempt, trial.Result!.Value));
    }

    [StoreFact]
    public void A_finished_trial_keeps_its_result_exactly()
    {
        var store = Open();
        var study = store.CreateOrOpenStudy(Studies.Definition());
        var results = new[]
        {
            new TrialResult(TrialStatus.Complete, 0.1 + 0.2, 1e-300, [0.1 + 0.2, double.Epsilon, 1.0 / 3, double.MaxValue], 7, TimeSpan.FromTicks(123_456_789_012), null),
            new TrialResult(TrialStatus.Pruned, -0.75, 0, [-0.75], 1, TimeSpan.FromTicks(1), null),
            new TrialResult(TrialStatus.Failed, null, null, [], 2, TimeSpan.Zero, "DivergenceException: the loss became NaN at epoch 2 (LearningRate = 10)"),
            new TrialResult(TrialStatus.Complete, double.NaN, double.PositiveInfinity, [double.NaN, double.NegativeInfinity], 3, TimeSpan.FromSeconds(1), null),
        };
        foreach (var result in results)
        {
            var claim = store.TryClaim(study.Id, "w", results.Length, Studies.Spec)!;
            Assert.True(store.Finish(study.Id, claim.Number, "w", result));
        }

        var trials = Open().GetTrials(study.Id);
        for (var i = 0; i < results.Length; i++)
        {
            var stored = trials[i].Result!;
            Assert.Equal(results[i] with { FoldValues = [] }, stored with { FoldValues = [] });
            Assert.Equal(results[i].FoldValues, stored.FoldValues);
            Assert.Equal(results[i].Status, trials[i].Status);
            Assert.True(trials[i].Finished >= trials[i].Started, $"trial {i}: finished {trials[i].Finished} before it started {trials[i].Started}");
        }
        Assert.Throws<ArgumentException>(() => store.Finish(study.Id, 0, "w", results[0] with { Status = TrialStatus.Running }));
    }

    [StoreFact]
    public void Intermediate_values_are_upserted_by_epoch_and_read_per_epoch_across_trials()
    {
        var store = Open();
        var study = store.CreateOrOpenStudy(Studies.Definition());
        var a = store.TryClaim(study.Id, "w", 5, Studies.Spec)!;
        var b = store.TryClaim(study.Id, "w", 5, Studies.Spec)!;
        store.ReportIntermediate(study.Id, a.Number, 1, 0.61);
        store.ReportIntermediate(study.Id, a.Number, 2, 0.72);
        store.ReportIntermediate(study.Id, b.Number, 1, 0.55);
        store.ReportIntermediate(study.Id, a.Number, 1, 0.63);

        Assert.Equal([new IntermediateValue(1, 0.63), new IntermediateValue(2, 0.72)], store.GetTrials(study.Id)[a.Number].Intermediate);
        Assert.Equal([0.55, 0.63], store.IntermediateValuesAt(study.Id, 1).Order());
        Assert.Equal([0.72], store.IntermediateValuesAt(study.Id, 2));
        Assert.Empty(store.IntermediateValuesAt(study.Id, 3));

        // A finished trial keeps its reports (successive halving ranks later trials among them).
        Assert.True(store.Finish(study.Id, b.Number, "w", Studies.Complete(0.55) with { Status = TrialStatus.Pruned, EpochsRun = 1 }));
        Assert.Equal([new IntermediateValue(1, 0.55)], store.GetTrials(study.Id)[b.Number].Intermediate);
        Assert.Equal([0.55, 0.63], store.IntermediateValuesAt(study.Id, 1).Order());
    }

    [StoreFact]
    public void RequeueStale_takes_only_trials_older_than_the_grace_records_the_attempt_and_clears_their_values()
    {
        var store = Open();
        var study = store.CreateOrOpenStudy(Studies.Definition());
        var dead = store.TryClaim(study.Id, "dead", 5, Studies.Spec)!;
        var alive = store.TryClaim(study.Id, "alive", 5, Studies.Spec)!;
        var done = store.TryClaim(study.Id, "alive", 5, Studies.Spec)!;
        store.ReportIntermediate(study.Id, dead.Number, 1, 0.5);
        store.ReportIntermediate(study.Id, alive.Number, 1, 0.6);
        Assert.True(store.Finish(study.Id, done.Number, "alive", Studies.Complete(0.7)));

        Assert.Equal(0, store.RequeueStale(study.Id, TimeSpan.FromHours(1)));
        Thread.Sleep(1500);
        Assert.True(store.Heartbeat(study.Id, alive.Number, "alive"));
        Assert.Equal(1, store.RequeueStale(study.Id, TimeSpan.FromSeconds(1)));
        Assert.Equal(0, store.RequeueStale(study.Id, TimeSpan.FromSeconds(1)));

        var trials = store.GetTrials(study.Id);
        Assert.Equal((TrialStatus.Waiting, 1), (trials[dead.Number].Status, trials[dead.Number].Attempt));
        Assert.Empty(trials[dead.Number].Intermediate);
        Assert.Equal(TrialStatus.Running, trials[alive.Number].Status);
        Assert.Equal([new IntermediateValue(1, 0.6)], trials[alive.Number].Intermediate);
        Assert.Equal(TrialStatus.Complete, trials[done.Number].Status);
    }

    [StoreFact]
    public void Studies_keep_their_trials_apart()
    {
        var store = Open();
        var first = store.CreateOrOpenStudy(Studies.Definition("first"));
        var second = store.CreateOrOpenStudy(Studies.Definition("second"));
        store.TryClaim(first.Id, "w", 5, Studies.Spec);
        store.TryClaim(first.Id, "w", 5, Studies.Spec);
        var other = store.TryClaim(second.Id, "w", 5, Studies.Spec)!;
        store.ReportIntermediate(first.Id, 0, 1, 0.25);

        Assert.Equal(0, other.Number);
        Assert.Equal(2, store.GetTrials(first.Id).Count);
        Assert.Single(store.GetTrials(second.Id));
        Assert.Empty(store.IntermediateValuesAt(second.Id, 1));
        LetHeartbeatsAge();
        Assert.Equal(1, store.RequeueStale(second.Id, TimeSpan.Zero));
        Assert.All(store.GetTrials(first.Id), t => Assert.Equal(TrialStatus.Running, t.Status));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the handles, then the derived class's store.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
            return;
        lock (_handles)
        {
            foreach (var store in _handles)
                store.Dispose();
            _handles.Clear();
        }
    }
}

/// <summary>The store contract on the in-memory store (every handle is the one store).</summary>
public sealed class InMemoryStudyStoreContractTests : StudyStoreContract
{
    private readonly InMemoryStudyStore _store = new();

    protected override IStudyStore CreateHandle() => _store;
}
