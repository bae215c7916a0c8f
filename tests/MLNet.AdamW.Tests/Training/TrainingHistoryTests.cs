using System.Text;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Tests.Training;

public sealed class TrainingHistoryTests
{
    private static TrainingHistory Sample() => new(
        [
            new EpochSummary(1, 0.7, 0.65, 0.6, 1e-3, TimeSpan.FromMilliseconds(120)),
            new EpochSummary(2, 0.5, 0.55, 0.7, 5e-4, TimeSpan.FromMilliseconds(110)),
            new EpochSummary(3, 0.4, 0.58, 0.69, 2.5e-4, TimeSpan.FromMilliseconds(115)),
        ],
        bestEpoch: 2, modelEpoch: 2, stoppedEarly: true);

    [Fact]
    public void Round_trips_through_its_binary_form()
    {
        var history = Sample();
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            history.Write(writer);
        stream.Position = 0;

        var read = TrainingHistory.Read(new BinaryReader(stream));

        Assert.Equal(history.Epochs, read.Epochs);
        Assert.Equal(2, read.BestEpoch);
        Assert.Equal(2, read.ModelEpoch);
        Assert.True(read.StoppedEarly);
        Assert.Equal(history.ToString(), read.ToString());
    }

    [Fact]
    public void Regression_entries_keep_their_missing_accuracy()
    {
        var history = new TrainingHistory([new EpochSummary(1, 2.5, null, null, 0.01, TimeSpan.Zero)], null, 1, false);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            history.Write(writer);
        stream.Position = 0;

        var read = TrainingHistory.Read(new BinaryReader(stream));

        Assert.Null(read.Epochs[0].ValidationLoss);
        Assert.Null(read.Epochs[0].ValidationAccuracy);
        Assert.Null(read.BestEpoch);
    }

    [Fact]
    public void Corrupt_or_truncated_bytes_are_refused()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            Sample().Write(writer);
        var bytes = stream.ToArray();

        var badCount = (byte[])bytes.Clone();
        badCount[3] = 0x7F;
        Assert.Throws<InvalidDataException>(() => TrainingHistory.Read(new BinaryReader(new MemoryStream(badCount))));
        var badEpoch = (byte[])bytes.Clone();
        badEpoch[4 + 44] = 9;   // the second entry's epoch number
        Assert.Throws<InvalidDataException>(() => TrainingHistory.Read(new BinaryReader(new MemoryStream(badEpoch))));
        Assert.Throws<EndOfStreamException>(() => TrainingHistory.Read(new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - 3))));
    }

    [Fact]
    public void Prints_a_table_marking_the_best_epoch()
    {
        var text = Sample().ToString();
        Assert.Contains("    2         0.5        0.55   70.00 %         0.0005     0.11  best", text, StringComparison.Ordinal);
        Assert.Contains("Stopped early; the network has the weights of epoch 2.", text, StringComparison.Ordinal);
    }
}
