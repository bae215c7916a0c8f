using System.Globalization;

namespace MLNet.AdamW.Training.Observers;

/// <summary>One line per epoch (and a line on resuming) to a log, e.g. ML.NET's channel.</summary>
internal sealed class TrainingLogger(
    Action<string> log, TrainingCheckpoint state, EarlyStoppingObserver? earlyStopping, bool earlyStoppingOn, string? startNote) : TrainingObserver
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public override void OnTrainingStart(TrainingContext context)
    {
        if (startNote is not null)
            log(startNote);
    }

    public override void OnEpochEnd(TrainingContext context, EpochSummary e)
    {
        var text = string.Create(Invariant, $"Epoch {e.Epoch}/{context.NumberOfEpochs}: train loss {e.TrainLoss:G5}");
        if (e.ValidationLoss is { } loss)
            text += string.Create(Invariant, $", validation loss {loss:G5}");
        if (e.ValidationAccuracy is { } accuracy)
            text += string.Create(Invariant, $", validation accuracy {accuracy:P2}");
        if (earlyStoppingOn && earlyStopping?.Improved == true)
            text += " (best)";
        text += string.Create(Invariant, $", learning rate {TrainingDescription.Number(e.LearningRate, 4)}, {e.Duration.TotalSeconds:F2} s");
        if (state.StoppedEarly)
        {
            text += earlyStopping?.PatienceExhausted == true
                ? string.Create(Invariant, $". Stopping early: no improvement for {state.EpochsWithoutImprovement} epochs; keeping epoch {state.BestEpoch}")
                : ". Stopping early: an observer asked to stop";
        }
        log(text);
    }
}
