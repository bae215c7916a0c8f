using System.Globalization;
using System.Text;

namespace MLNet.AdamW.Training;

/// <summary>
/// The per-epoch record of a training run, and which epoch's weights the trained network holds.
/// </summary>
public sealed class TrainingHistory
{
    private const int MaxEpochs = 10_000_000;

    internal TrainingHistory(IEnumerable<EpochSummary> epochs, int? bestEpoch, int modelEpoch, bool stoppedEarly)
    {
        Epochs = epochs.ToArray();
        BestEpoch = bestEpoch;
        ModelEpoch = modelEpoch;
        StoppedEarly = stoppedEarly;
    }

    /// <summary>One entry per epoch trained, in order (a resumed run includes the epochs before the checkpoint).</summary>
    public IReadOnlyList<EpochSummary> Epochs { get; }

    /// <summary>The epoch with the lowest validation loss; null without validation data.</summary>
    public int? BestEpoch { get; }

    /// <summary>
    /// The epoch whose weights the trained network holds: <see cref="BestEpoch"/> when early stopping
    /// is on, otherwise the last epoch (0 if no epoch ran, e.g. a warm start with nothing left to do).
    /// </summary>
    public int ModelEpoch { get; }

    /// <summary>Whether training stopped before the last epoch: the validation loss stopped improving (early stopping), or an observer asked to stop.</summary>
    public bool StoppedEarly { get; }

    /// <summary>A table with one line per epoch.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("epoch  train loss  valid loss  valid acc  learning rate  seconds");
        foreach (var e in Epochs)
        {
            text.Append(c, $"{e.Epoch,5}  {e.TrainLoss,10:G5}  ");
            text.Append(e.ValidationLoss is { } vl ? string.Format(c, "{0,10:G5}", vl) : "         -");
            text.Append(e.ValidationAccuracy is { } va ? string.Format(c, "  {0,8:P2}", va) : "         -");
            text.Append(c, $"  {e.LearningRate,13:G4}  {e.Duration.TotalSeconds,7:F2}");
            if (e.Epoch == BestEpoch)
                text.Append("  best");
            text.AppendLine();
        }
        if (StoppedEarly)
            text.AppendLine(string.Create(c, $"Stopped early; the network has the weights of epoch {ModelEpoch}."));
        return text.ToString();
    }

    /// <summary>Writes the history for <see cref="Read"/> (checkpoints, saved models).</summary>
    internal void Write(BinaryWriter writer)
    {
        writer.Write(Epochs.Count);
        foreach (var e in Epochs)
        {
            writer.Write(e.Epoch);
            writer.Write(e.TrainLoss);
            writer.Write(e.ValidationLoss ?? double.NaN);
            writer.Write(e.ValidationAccuracy ?? double.NaN);
            writer.Write(e.LearningRate);
            writer.Write(e.Duration.Ticks);
        }
        writer.Write(BestEpoch ?? 0);
        writer.Write(ModelEpoch);
        writer.Write(StoppedEarly);
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The data is inconsistent.</exception>
    internal static TrainingHistory Read(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > MaxEpochs)
            throw new InvalidDataException($"Corrupt training history: {count} epochs.");
        var epochs = new EpochSummary[count];
        for (var i = 0; i < count; i++)
        {
            var epoch = reader.ReadInt32();
            var trainLoss = reader.ReadDouble();
            var validationLoss = reader.ReadDouble();
            var validationAccuracy = reader.ReadDouble();
            var learningRate = reader.ReadDouble();
            var ticks = reader.ReadInt64();
            if ((i == 0 ? epoch < 1 : epoch != epochs[i - 1].Epoch + 1) || ticks < 0)
                throw new InvalidDataException($"Corrupt training history at entry {i}.");
            epochs[i] = new EpochSummary(epoch, trainLoss, NullIfNaN(validationLoss), NullIfNaN(validationAccuracy), learningRate, TimeSpan.FromTicks(ticks));
        }
        var best = reader.ReadInt32();
        var model = reader.ReadInt32();
        var stoppedEarly = reader.ReadBoolean();
        if (best < 0 || model < 0 || best > MaxEpochs || model > MaxEpochs)
            throw new InvalidDataException("Corrupt training history: epoch numbers out of range.");
        return new TrainingHistory(epochs, best == 0 ? null : best, model, stoppedEarly);
    }

    private static double? NullIfNaN(double value) => double.IsNaN(value) ? null : value;
}
