using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.ML;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// A named study in a store: a search space, an objective, a strategy and a seed. <see cref="Run"/> is one
/// worker: it claims trials from the store until the study has its trials, training each with heartbeats and
/// writing its result; any number of workers (processes, machines) can run the same study at once.
/// </summary>
/// <remarks>
/// <para>Trial n's options and training seed are a function of the study seed and n only; a re-queued trial
/// keeps the options it was created with. The study's trial count is a total: <c>Run(20)</c> on a study that
/// has 20 finished trials runs nothing, and <c>Run(30)</c> adds 10.</para>
/// <para>Each trial: the options from its stored parameters (<see cref="SearchSpace{TOptions}.FromParametersJson"/>),
/// its training seed as the options' Seed (unless the space sweeps Seed), the strategy's epochs (successive
/// halving sets NumberOfEpochs); then each fold is trained and measured (<see cref="SweepObjective{TOptions}"/>).
/// An exception ends the trial as <see cref="TrialStatus.Failed"/> with its type and message; the study goes on.
/// A trial whose heartbeat the store refused (it was re-queued as stale meanwhile) is abandoned without a result.</para>
/// </remarks>
/// <typeparam name="TOptions">The trainer's options type.</typeparam>
public sealed class Study<TOptions>
    where TOptions : AdamWTrainerOptions, new()
{
    internal Study(IStudyStore store, StudyInfo info, SearchSpace<TOptions> space, SweepObjective<TOptions> objective, SweepStrategy strategy)
    {
        Store = store;
        Info = info;
        Space = space;
        Objective = objective;
        Strategy = strategy;
    }

    /// <summary>The store the study lives in.</summary>
    public IStudyStore Store { get; }

    /// <summary>The study as the store holds it.</summary>
    public StudyInfo Info { get; }

    /// <summary>The search space.</summary>
    public SearchSpace<TOptions> Space { get; }

    /// <summary>The objective.</summary>
    public SweepObjective<TOptions> Objective { get; }

    /// <summary>The strategy.</summary>
    public SweepStrategy Strategy { get; }

    /// <summary>The study seed.</summary>
    public int Seed => Info.Definition.Seed;

    /// <summary>The spec trial <paramref name="number"/> is created with: its parameters and training seed, from the study seed and the number only.</summary>
    public TrialSpec SpecFor(int number)
    {
        var values = Strategy.Values(Space.Dimensions, Seed, number);
        return new TrialSpec(Space.EncodeParameters(values), SeedSequence.TrainingSeed(Seed, number), Study.LibraryVersion, Objective.DataFingerprint);
    }

    /// <summary>The options a trial trains with: its parameters on fresh base options, its seed, the strategy's epochs.</summary>
    public TOptions OptionsFor(TrialSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = Space.FromParametersJson(spec.ParametersJson);
        if (!Space.Options.Contains(nameof(AdamWTrainerOptions.Seed)))
            options.Seed = spec.Seed;
        if (Strategy.Epochs is { } epochs && !Space.Options.Contains(nameof(AdamWTrainerOptions.NumberOfEpochs)))
            options.NumberOfEpochs = epochs;
        return options;
    }

    /// <summary>
    /// Runs trials as one worker until the study has <paramref name="trials"/> finished trials (a grid: at most
    /// its cells), the time budget or per-call limit is reached, or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <returns>How many trials this call finished.</returns>
    /// <exception cref="OperationCanceledException">Cancelled; the trial then running is left to be re-queued as stale.</exception>
    public int Run(int trials, StudyRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        options ??= new StudyRunOptions();
        options.Validate();
        var total = Strategy.TrialCount(trials, Space.GridSize);
        var clock = Stopwatch.StartNew();
        var ran = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if ((options.TimeBudget is { } budget && clock.Elapsed >= budget) || (options.MaxTrialsThisRun is { } max && ran >= max))
                return ran;
            Store.RequeueStale(Info.Id, options.StaleAfter);
            var claim = Store.TryClaim(Info.Id, options.Worker, total, SpecFor);
            if (claim is null)
            {
                if (!options.WaitForRunningTrials || !Store.GetTrials(Info.Id).Any(t => t.Status is TrialStatus.Running or TrialStatus.Waiting))
                    return ran;
                cancellationToken.WaitHandle.WaitOne(options.HeartbeatInterval);
                continue;
            }
            if (RunTrial(claim, options, cancellationToken))
            {
                ran++;
                if (options.Progress is { } progress)
                    progress.Report(Store.GetTrials(Info.Id).First(t => t.Number == claim.Number));
            }
        }
    }

    /// <summary>The leaderboard as the store holds it now.</summary>
    public StudyResult GetResult() => new(Info, Store.GetTrials(Info.Id));

    /// <summary>The options of the best complete trial.</summary>
    /// <exception cref="InvalidOperationException">No trial completed.</exception>
    public TOptions BestOptions() => OptionsFor(BestTrial().Record.Spec);

    /// <summary>The best complete trial's pipeline (featurization → trainer) fitted on all of the objective's data.</summary>
    /// <exception cref="InvalidOperationException">No trial completed.</exception>
    public ITransformer RefitBest() => Objective.Refit(BestOptions());

    private TrialSummary BestTrial() => GetResult().Best
        ?? throw new InvalidOperationException($"The study \"{Info.Definition.Name}\" has no complete trial yet; run it first.");

    /// <summary>Trains and measures one claimed trial; false when it was abandoned (its claim was lost).</summary>
    private bool RunTrial(TrialClaim claim, StudyRunOptions runOptions, CancellationToken cancellationToken)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var worker = runOptions.Worker;
        var heartbeat = new Timer(_ =>
        {
            try
            {
                if (!Store.Heartbeat(Info.Id, claim.Number, worker))
                    lost.Cancel();
            }
            catch (Exception)
            {
                // A beat that fails (a store briefly unreachable) must not end the process from a timer
                // thread: the next beat tries again, and a long outage makes the trial stale.
            }
        }, null, runOptions.HeartbeatInterval, runOptions.HeartbeatInterval);

        var clock = Stopwatch.StartNew();
        TrialResult result;
        try
        {
            result = Train(claim, lost.Token);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            StopHeartbeat(heartbeat);
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
        catch (Exception e)
        {
            result = new TrialResult(TrialStatus.Failed, null, null, [], 0, clock.Elapsed, ErrorText(e));
        }
        // No beat may run once the trial is finished (nor touch the disposed token source).
        StopHeartbeat(heartbeat);
        return Store.Finish(Info.Id, claim.Number, worker, result);
    }

    private TrialResult Train(TrialClaim claim, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var asha = Strategy as AshaStrategy;
        var values = new List<double>();
        var epochs = 0;
        for (var fold = 0; fold < Objective.FoldCount; fold++)
        {
            var options = OptionsFor(claim.Spec);
            options.CancellationToken = cancellationToken;
            var reporter = fold == 0 ? new TrialReporter(Store, Info.Id, claim.Number, asha) : null;
            if (reporter is not null)
                options.Observers.Add(reporter);
            var (value, history) = Objective.EvaluateFold(options, Seed, fold);
            if (!double.IsFinite(value))
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"The metric {Objective.Metric.Name} is {value} on fold {fold + 1} (e.g. a fold without both classes, or predictions that are not finite)."));
            values.Add(value);
            epochs = history.Epochs.Count;
            if (reporter?.PrunedAt is { } rung)
                return new TrialResult(TrialStatus.Pruned, value, 0, [.. values], rung, clock.Elapsed, null);
        }
        var mean = values.Average();
        var std = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return new TrialResult(TrialStatus.Complete, mean, std, [.. values], epochs, clock.Elapsed, null);
    }

    private static void StopHeartbeat(Timer heartbeat)
    {
        using var stopped = new ManualResetEvent(false);
        if (heartbeat.Dispose(stopped))
            stopped.WaitOne();
    }

    private static string ErrorText(Exception e)
    {
        var parts = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is not TargetInvocationException)
                parts.Add($"{current.GetType().Name}: {current.Message}");
        }
        return string.Join(" ← ", parts);
    }
}
