using MLNet.AdamW.Cli.Display;
using MLNet.AdamW.Sweeps;

namespace MLNet.AdamW.Cli.Tests;

/// <summary>The progress display's counts, best so far and time left, from a study's trials.</summary>
public sealed class StudyProgressTests
{
    private static readonly TrialSpec Spec = new("{}", 1, "0.1.0", "f");

    private static TrialRecord Trial(int number, TrialStatus status, double? value = null, double seconds = 10) =>
        new(number, status, Spec, 1, "w", status is TrialStatus.Waiting or TrialStatus.Running ? null
            : new TrialResult(status, value, 0, value is null ? [] : [value.Value], 3, TimeSpan.FromSeconds(seconds), status == TrialStatus.Failed ? "boom" : null),
            null, null, []);

    [Fact]
    public void Counts_each_status_and_keeps_the_best_complete_trial()
    {
        TrialRecord[] trials =
        [
            Trial(0, TrialStatus.Complete, 0.80),
            Trial(1, TrialStatus.Pruned, 0.95),
            Trial(2, TrialStatus.Complete, 0.90),
            Trial(3, TrialStatus.Failed),
            Trial(4, TrialStatus.Running),
            Trial(5, TrialStatus.Complete, double.NaN),
        ];
        var progress = StudyProgress.Of(trials, total: 10, workers: 2, maximize: true);
        Assert.Equal((10, 3, 1, 1, 1, 5), (progress.Total, progress.Complete, progress.Pruned, progress.Failed, progress.Running, progress.Done));
        Assert.Equal((0.90, 2), (progress.BestValue, progress.BestTrial));
        // 5 trials left at a mean of 10 s, shared by 2 workers.
        Assert.Equal(TimeSpan.FromSeconds(25), progress.Remaining);
        Assert.Equal("5/10 done: 3 complete, 1 pruned, 1 failed; 1 running; best auc 0.9 (trial 2); ETA 0:25", progress.Describe("auc"));

        var minimized = StudyProgress.Of(trials, total: 10, workers: 2, maximize: false);
        Assert.Equal((0.80, 0), (minimized.BestValue, minimized.BestTrial));
    }

    [Fact]
    public void Before_any_trial_ends_there_is_no_estimate()
    {
        var progress = StudyProgress.Of([Trial(0, TrialStatus.Running)], total: 4, workers: 1, maximize: true);
        Assert.Null(progress.Remaining);
        Assert.Equal("0/4 done: 0 complete, 0 pruned, 0 failed; 1 running; best rmse –; ETA –", progress.Describe("rmse"));
    }
}
