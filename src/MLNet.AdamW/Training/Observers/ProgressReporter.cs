using System.Diagnostics;

namespace MLNet.AdamW.Training.Observers;

/// <summary>
/// Turns the training loop's steps into <see cref="TrainingProgress"/> reports: after a minibatch once
/// <see cref="TrainingProgress.ReportInterval"/> has passed, and after every epoch.
/// </summary>
internal sealed class ProgressReporter(IProgress<TrainingProgress> progress) : TrainingObserver
{
    private int _numberOfEpochs;
    private int _minibatchesPerEpoch;
    private long _stepsThisRun;
    private long _firstStep;
    private long _start;
    private long _lastReport;

    public override bool ObservesSteps => true;

    public override void OnTrainingStart(TrainingContext context)
    {
        _numberOfEpochs = context.NumberOfEpochs;
        _minibatchesPerEpoch = context.MinibatchesPerEpoch;
        _firstStep = (long)(context.FirstEpoch - 1) * _minibatchesPerEpoch;
        _stepsThisRun = (long)_numberOfEpochs * _minibatchesPerEpoch - _firstStep;
        _start = Stopwatch.GetTimestamp();
        _lastReport = _start;
    }

    public override void OnStep(TrainingStep current)
    {
        // The last minibatch's report is the epoch end's, after validation.
        if (current.Minibatch < _minibatchesPerEpoch && Stopwatch.GetElapsedTime(_lastReport) >= TrainingProgress.ReportInterval)
            Report(current.Epoch, current.Minibatch, current.EpochLoss);
    }

    public override void OnEpochEnd(TrainingContext context, EpochSummary epoch) => Report(epoch.Epoch, _minibatchesPerEpoch, epoch.TrainLoss);

    private void Report(int epoch, int minibatch, double loss)
    {
        var now = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(_start, now);
        var done = (long)(epoch - 1) * _minibatchesPerEpoch + minibatch - _firstStep;
        var remaining = _stepsThisRun - done;
        var estimate = remaining <= 0 || done <= 0 ? TimeSpan.Zero : elapsed * ((double)remaining / done);
        _lastReport = now;
        progress.Report(new TrainingProgress(epoch, _numberOfEpochs, minibatch, _minibatchesPerEpoch, loss, elapsed, estimate));
    }
}
