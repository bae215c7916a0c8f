using MLNet.AdamW.Optimizers;

namespace MLNet.AdamW.Training.Observers;

/// <summary>
/// Writes the run's state (network, optimizer, history, early-stopping state) to a checkpoint every
/// <c>interval</c> epochs, after the last epoch and when training stops early.
/// </summary>
internal sealed class CheckpointWriter(
    string directory, int interval, TrainingCheckpoint state, TrainableNetwork network, WeightDecayOptimizer optimizer) : TrainingObserver
{
    public override void OnEpochEnd(TrainingContext context, EpochSummary epoch)
    {
        if (epoch.Epoch % interval != 0 && epoch.Epoch != context.NumberOfEpochs && !state.StoppedEarly)
            return;
        state.NetworkWeights = network.SaveWeights();
        using (var stream = new MemoryStream())
        {
            optimizer.SaveState(stream);
            state.OptimizerState = stream.ToArray();
        }
        state.Save(directory);
    }
}
