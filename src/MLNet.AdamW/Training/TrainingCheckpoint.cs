using System.Security.Cryptography;
using System.Text;

namespace MLNet.AdamW.Training;

/// <summary>
/// The state of a training run at the end of an epoch — all that is needed to continue it
/// bit-identically — and its file in a checkpoint directory.
/// </summary>
/// <remarks>
/// <para>The shuffling order and dropout masks of an epoch are derived from the seed and the epoch
/// number, so the epoch is the whole random-number position; the learning-rate schedule is a
/// function of the step count.</para>
/// <para>File layout: "MLNAWCKP", format version (int32), payload length (int64), SHA-256 of the
/// payload, payload. The file is written to a temporary name, flushed to disk and renamed over the
/// previous checkpoint, so a crash while writing leaves the previous checkpoint intact; the
/// checksum is verified before any of it reaches libtorch.</para>
/// </remarks>
internal sealed class TrainingCheckpoint
{
    /// <summary>The checkpoint's file name in its directory.</summary>
    public const string FileName = "training.checkpoint";

    private const int FormatVersion = 1;
    private const int MaxSetupEntries = 1000;
    private static readonly byte[] Magic = "MLNAWCKP"u8.ToArray();

    /// <summary>Settings that must be equal to resume (name → exact value).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Setup { get; init; }

    /// <summary>Epochs completed.</summary>
    public int EpochsCompleted { get; set; }

    /// <summary>Optimizer steps completed (the schedule's position).</summary>
    public long StepsCompleted { get; set; }

    /// <summary>The lowest validation loss so far (+∞ before the first).</summary>
    public double BestValidationLoss { get; set; } = double.PositiveInfinity;

    /// <summary>The epoch of <see cref="BestValidationLoss"/>, or 0.</summary>
    public int BestEpoch { get; set; }

    /// <summary>Epochs since the validation loss last improved.</summary>
    public int EpochsWithoutImprovement { get; set; }

    /// <summary>The loss scale that divergence is judged against (0 until the first minibatch).</summary>
    public double LossReference { get; set; }

    /// <summary>Whether early stopping has ended the run.</summary>
    public bool StoppedEarly { get; set; }

    /// <summary>The epochs so far.</summary>
    public List<EpochSummary> History { get; } = [];

    /// <summary>The network's weights after <see cref="EpochsCompleted"/> epochs.</summary>
    public byte[] NetworkWeights { get; set; } = [];

    /// <summary>The optimizer's state (<c>SaveState</c>).</summary>
    public byte[] OptimizerState { get; set; } = [];

    /// <summary>The weights of <see cref="BestEpoch"/>, kept when early stopping is on.</summary>
    public byte[]? BestWeights { get; set; }

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>
    /// The seed of the run that wrote the checkpoint in a directory (part of its setup); null if there
    /// is no checkpoint. A run whose seed was drawn (no Seed option) resumes with this one.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint is corrupt or records no seed.</exception>
    public static int? SeedIn(string directory)
    {
        if (Load(directory) is not { } checkpoint)
            return null;
        foreach (var (name, value) in checkpoint.Setup)
            if (name == nameof(TrainingOptions.Seed) && int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seed))
                return seed;
        throw new InvalidDataException($"The checkpoint '{PathIn(directory)}' records no seed.");
    }

    /// <summary>Writes the checkpoint atomically, replacing the previous one.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        byte[] payload;
        using (var buffer = new MemoryStream())
        {
            using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
                WritePayload(writer);
            payload = buffer.ToArray();
        }

        var path = PathIn(directory);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(Magic);
                writer.Write(FormatVersion);
                writer.Write((long)payload.Length);
                writer.Write(SHA256.HashData(payload));
                writer.Write(payload);
            }
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads the checkpoint in a directory; null if there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is of an unknown version, truncated or corrupt.</exception>
    public static TrainingCheckpoint? Load(string directory)
    {
        var path = PathIn(directory);
        if (!File.Exists(path))
            return null;
        var bytes = File.ReadAllBytes(path);
        const int headerLength = 8 + 4 + 8 + 32;
        if (bytes.Length < headerLength || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a training checkpoint.");
        var version = BitConverter.ToInt32(bytes, 8);
        if (version != FormatVersion)
            throw new InvalidDataException($"'{path}' is a checkpoint of format version {version}; this version of MLNet.AdamW reads version {FormatVersion}.");
        var length = BitConverter.ToInt64(bytes, 12);
        if (length != bytes.Length - headerLength)
            throw new InvalidDataException($"The checkpoint '{path}' is truncated or corrupt: it declares {length} bytes of content and has {bytes.Length - headerLength}.");
        var payload = bytes.AsSpan(headerLength);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(20, 32)))
            throw new InvalidDataException($"The checkpoint '{path}' is corrupt: its checksum does not match.");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, headerLength, (int)length, writable: false), Encoding.UTF8);
            return ReadPayload(reader);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"The checkpoint '{path}' is corrupt.", e);
        }
    }

    /// <summary>Throws unless the checkpoint was written by a run with the same setup, listing every difference.</summary>
    /// <exception cref="InvalidOperationException">The setups differ.</exception>
    public void RequireSetup(IReadOnlyList<KeyValuePair<string, string>> current, string directory)
    {
        var saved = Setup.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var now = current.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var differences = new List<string>();
        foreach (var key in saved.Keys.Union(now.Keys))
        {
            var before = saved.GetValueOrDefault(key, "(not set)");
            var after = now.GetValueOrDefault(key, "(not set)");
            if (!string.Equals(before, after, StringComparison.Ordinal))
                differences.Add($"  {key}: {before} in the checkpoint, {after} now");
        }
        if (differences.Count > 0)
            throw new InvalidOperationException(
                $"The checkpoint in '{directory}' was written by a different training setup, so it cannot be resumed:{Environment.NewLine}" +
                string.Join(Environment.NewLine, differences) + Environment.NewLine +
                "Train with the settings and data it was written with, or use another checkpoint directory (or delete this one) to start over.");
    }

    private void WritePayload(BinaryWriter writer)
    {
        writer.Write(Setup.Count);
        foreach (var (key, value) in Setup)
        {
            writer.Write(key);
            writer.Write(value);
        }
        writer.Write(EpochsCompleted);
        writer.Write(StepsCompleted);
        writer.Write(BestValidationLoss);
        writer.Write(BestEpoch);
        writer.Write(EpochsWithoutImprovement);
        writer.Write(StoppedEarly);
        writer.Write(LossReference);
        new TrainingHistory(History, null, 0, false).Write(writer);
        WriteBytes(writer, NetworkWeights);
        WriteBytes(writer, OptimizerState);
        writer.Write(BestWeights is not null);
        if (BestWeights is not null)
            WriteBytes(writer, BestWeights);
    }

    private static TrainingCheckpoint ReadPayload(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > MaxSetupEntries)
            throw new InvalidDataException($"Corrupt checkpoint: {count} setup entries.");
        var setup = new List<KeyValuePair<string, string>>(count);
        for (var i = 0; i < count; i++)
            setup.Add(new(reader.ReadString(), reader.ReadString()));
        var checkpoint = new TrainingCheckpoint
        {
            Setup = setup,
            EpochsCompleted = reader.ReadInt32(),
            StepsCompleted = reader.ReadInt64(),
            BestValidationLoss = reader.ReadDouble(),
            BestEpoch = reader.ReadInt32(),
            EpochsWithoutImprovement = reader.ReadInt32(),
            StoppedEarly = reader.ReadBoolean(),
            LossReference = reader.ReadDouble(),
        };
        checkpoint.History.AddRange(TrainingHistory.Read(reader).Epochs);
        checkpoint.NetworkWeights = ReadBytes(reader);
        checkpoint.OptimizerState = ReadBytes(reader);
        if (reader.ReadBoolean())
            checkpoint.BestWeights = ReadBytes(reader);
        if (checkpoint.EpochsCompleted < 0 || checkpoint.StepsCompleted < 0 || checkpoint.BestEpoch < 0
            || checkpoint.BestEpoch > checkpoint.EpochsCompleted || checkpoint.EpochsWithoutImprovement < 0
            || checkpoint.History.Count != checkpoint.EpochsCompleted || !(checkpoint.LossReference >= 0))
            throw new InvalidDataException("Corrupt checkpoint: inconsistent progress counters.");
        return checkpoint;
    }

    private static void WriteBytes(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        if (length < 0 || length > remaining)
            throw new InvalidDataException($"Corrupt checkpoint: a block of {length} bytes with {remaining} left.");
        return reader.ReadBytes(length);
    }
}
