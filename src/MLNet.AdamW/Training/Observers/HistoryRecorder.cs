namespace MLNet.AdamW.Training.Observers;

/// <summary>Keeps each epoch's summary in the run's state, from which the <see cref="TrainingHistory"/> is made (and checkpoints keep it).</summary>
internal sealed class HistoryRecorder(TrainingCheckpoint state) : TrainingObserver
{
    public override void OnEpochEnd(TrainingContext context, EpochSummary epoch) => state.History.Add(epoch);
}
