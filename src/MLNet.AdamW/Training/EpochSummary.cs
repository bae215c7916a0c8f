namespace MLNet.AdamW.Training;

/// <summary>What one epoch of training did.</summary>
/// <param name="Epoch">The epoch, counted from 1.</param>
/// <param name="TrainLoss">The mean training loss over the epoch's minibatches (weighted by their example weights), measured before each step, in training mode.</param>
/// <param name="ValidationLoss">The loss on the validation data after the epoch (weighted mean, inference mode); null without validation data.</param>
/// <param name="ValidationAccuracy">The fraction of validation rows classified correctly (weighted); null for regression or without validation data.</param>
/// <param name="LearningRate">The learning rate α·η_t of the epoch's last step.</param>
/// <param name="Duration">Wall-clock time of the epoch, validation included.</param>
public sealed record EpochSummary(
    int Epoch, double TrainLoss, double? ValidationLoss, double? ValidationAccuracy, double LearningRate, TimeSpan Duration);
