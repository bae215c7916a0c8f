using MLNet.AdamW.Training;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// The trial's observer on its first fold: writes each epoch's validation loss to the store as it arrives
/// and, under successive halving, stops training at a rung where the trial is not among the best.
/// </summary>
internal sealed class TrialReporter(IStudyStore store, long studyId, int number, AshaStrategy? asha) : TrainingObserver
{
    /// <summary>The rung where successive halving stopped the trial; null while it runs on.</summary>
    public int? PrunedAt { get; private set; }

    public override void OnEpochEnd(TrainingContext context, EpochSummary epoch)
    {
        // Without validation rows (a pipeline factory without ValidationFraction, which ASHA refuses) the curve is the training loss.
        var loss = epoch.ValidationLoss ?? epoch.TrainLoss;
        store.ReportIntermediate(studyId, number, epoch.Epoch, loss);
        if (asha is null || !asha.Rungs.Contains(epoch.Epoch))
            return;
        if (!asha.Continues(loss, store.IntermediateValuesAt(studyId, epoch.Epoch)))
        {
            PrunedAt = epoch.Epoch;
            context.RequestStop();
        }
    }
}
