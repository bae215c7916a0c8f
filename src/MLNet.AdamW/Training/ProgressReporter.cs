using System.Diagnostics;

namespace MLNet.AdamW.Training;

/// <summary>
/// Turns the training loop's minibatches into <see cref="TrainingProgress"/> reports: after a
/// minibatch once <see cref="TrainingProgress.ReportInterval"/> has passed, and after every epoch.
/// </summary>
internal sealed class ProgressReporter
{
    private readonly IProgress<TrainingProgress> _progress;
    private readonly int _numberOfEpochs;
    private readonly int _minibatchesPerEpoch;
    private readonly long _stepsThisRun;
    private readonly long _firstStep;
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _lastReport;

    /// <param name="progress">Receives the reports.</param>
    /// <param name="numberOfEpochs">The epochs of the run.</param>
    /// <param name="minibatchesPerEpoch">The minibatches of each epoch.</param>
    /// <param name="firstEpoch">The first epoch this run trains (after a resumed checkpoint's).</param>
    public ProgressReporter(IProgress<TrainingProgress> progress, int numberOfEpochs, int minibatchesPerEpoch, int firstEpoch)
    {
        _progress = progress;
        _numberOfEpochs = numberOfEpochs;
        _minibatchesPerEpoch = minibatchesPerEpoch;
        _firstStep = (long)(firstEpoch - 1) * minibatchesPerEpoch;
        _stepsThisRun = (long)numberOfEpochs * minibatchesPerEpoch - _firstStep;
        _lastReport = _start;
    }

    /// <summary>After minibatch <paramref name="minibatch"/> (from 1) of an epoch; reports only if the interval has passed.</summary>
    public void MinibatchDone(int epoch, int minibatch, double loss)
    {
        // The last minibatch's report is the epoch end's, after validation.
        if (minibatch < _minibatchesPerEpoch && Stopwatch.GetElapsedTime(_lastReport) >= TrainingProgress.ReportInterval)
            Report(epoch, minibatch, loss);
    }

    /// <summary>After an epoch and its validation.</summary>
    public void EpochDone(int epoch, double loss) => Report(epoch, _minibatchesPerEpoch, loss);

    private void Report(int epoch, int minibatch, double loss)
    {
        var now = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(_start, now);
        var done = (long)(epoch - 1) * _minibatchesPerEpoch + minibatch - _firstStep;
        var remaining = _stepsThisRun - done;
        var estimate = remaining <= 0 || done <= 0 ? TimeSpan.Zero : elapsed * ((double)remaining / done);
        _lastReport = now;
        _progress.Report(new TrainingProgress(epoch, _numberOfEpochs, minibatch, _minibatchesPerEpoch, loss, elapsed, estimate));
    }
}
