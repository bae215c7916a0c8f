namespace MLNet.AdamW.Training.Observers;

/// <summary>
/// Tracks the epoch with the lowest validation loss and, with a patience, stops training once the loss
/// has not improved for that many epochs, keeping the best epoch's weights and putting them back at the end.
/// </summary>
/// <remarks>Its state lives in the run's <see cref="TrainingCheckpoint"/>, so a resumed run continues it.</remarks>
internal sealed class EarlyStoppingObserver(TrainingCheckpoint state, TrainableNetwork network, int? patience) : TrainingObserver
{
    /// <summary>Whether the last epoch lowered the validation loss.</summary>
    public bool Improved { get; private set; }

    /// <summary>Whether the patience ran out (and so this observer asked to stop).</summary>
    public bool PatienceExhausted { get; private set; }

    public override void OnEpochEnd(TrainingContext context, EpochSummary epoch)
    {
        Improved = false;
        if (epoch.ValidationLoss is not { } loss)
            return;
        if (loss < state.BestValidationLoss)
        {
            Improved = true;
            state.BestValidationLoss = loss;
            state.BestEpoch = epoch.Epoch;
            state.EpochsWithoutImprovement = 0;
            if (patience is not null)
                state.BestWeights = network.SaveWeights();
        }
        else if (++state.EpochsWithoutImprovement >= patience)
        {
            PatienceExhausted = true;
            context.RequestStop();
        }
    }

    internal override int? OnTrainingFinishing(TrainingContext context)
    {
        if (patience is null || state.BestWeights is null || state.BestEpoch == state.EpochsCompleted)
            return null;
        network.LoadWeights(state.BestWeights, $"epoch {state.BestEpoch}");
        return state.BestEpoch;
    }
}
