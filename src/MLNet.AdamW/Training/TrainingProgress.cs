using System.Globalization;

namespace MLNet.AdamW.Training;

/// <summary>
/// Where a training run is: what <see cref="AdamWTrainerOptions.Progress"/> receives, for progress
/// bars, UIs and logs.
/// </summary>
/// <remarks>
/// <para>A report comes after a minibatch when at least <see cref="ReportInterval"/> has passed
/// since the previous one, and after every epoch (validation included), so a run reports at
/// least once a second — unless one minibatch takes longer — and its last report is the last
/// epoch's: <see cref="IsEpochEnd"/> with <see cref="Epoch"/> = <see cref="NumberOfEpochs"/>, or the
/// epoch it stopped early at. Each <c>Fit</c> reports from its own start (<c>CrossValidate</c>: each fold in
/// turn); a run resumed from a checkpoint reports from the epoch after it.</para>
/// <para>Reports are made on the training thread, in order, while <c>Fit</c> waits for the handler:
/// keep it short, and note that <see cref="Progress{T}"/> posts each report to the
/// <see cref="SynchronizationContext"/> it was created on (the thread pool in a console app,
/// where reports may then arrive out of order or after <c>Fit</c> returns); implement
/// <see cref="IProgress{T}"/> directly for a synchronous handler. An exception thrown by the handler
/// ends the training with that exception.</para>
/// </remarks>
/// <param name="Epoch">The epoch in progress (or just finished, at an epoch end), counted from 1.</param>
/// <param name="NumberOfEpochs">The epochs the run is set to train (<see cref="AdamWTrainerOptions.NumberOfEpochs"/>).</param>
/// <param name="Minibatch">The minibatches of this epoch done so far, 1 to <see cref="MinibatchesPerEpoch"/>.</param>
/// <param name="MinibatchesPerEpoch">The minibatches of every epoch.</param>
/// <param name="Loss">The mean training loss of this epoch so far (weighted by the example weights, measured
/// before each step); at an epoch end, the epoch's <see cref="EpochSummary.TrainLoss"/>.</param>
/// <param name="Elapsed">The time since this run started (a resumed run counts from its resumption).</param>
/// <param name="EstimatedRemaining">The time the remaining epochs should take at this run's pace so far
/// (an upper bound with early stopping); <see cref="TimeSpan.Zero"/> after the last epoch.</param>
public sealed record TrainingProgress(
    int Epoch, int NumberOfEpochs, int Minibatch, int MinibatchesPerEpoch, double Loss, TimeSpan Elapsed, TimeSpan EstimatedRemaining)
{
    /// <summary>The longest time between two reports while minibatches keep finishing: one second.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);

    /// <summary>Whether this report is the one made after the epoch (and its validation) finished.</summary>
    public bool IsEpochEnd => Minibatch == MinibatchesPerEpoch;

    /// <summary>The fraction of the run's minibatches done, in [0, 1], for a progress bar.</summary>
    public double Fraction => (double)((long)(Epoch - 1) * MinibatchesPerEpoch + Minibatch) / ((long)NumberOfEpochs * MinibatchesPerEpoch);

    /// <summary>One line, e.g. <c>epoch 3/30, minibatch 7/7, loss 0.48335, 0.4 s elapsed, about 3.6 s left</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"epoch {Epoch}/{NumberOfEpochs}, minibatch {Minibatch}/{MinibatchesPerEpoch}, loss {Loss:G5}, {Elapsed.TotalSeconds:F1} s elapsed, about {EstimatedRemaining.TotalSeconds:F1} s left");
}
