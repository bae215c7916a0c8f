using System.Security.Cryptography;
using System.Text;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Model;

/// <summary>
/// Everything a trained model carries: the layers for managed scoring, the TorchSharp weights
/// and architecture for warm starts, and what a user may ask about it (descriptions, history).
/// </summary>
/// <remarks>
/// Stored as one framed, checksummed blob inside ML.NET's model file:
/// <code>
/// "MLNAWMDL" | uint32 format | int64 length | SHA-256 of payload (32 bytes) | payload
/// </code>
/// The frame is validated — magic, a known format, a length that fits in what is left of the
/// stream, the checksum — before any byte of the payload is parsed or reaches native code, so a
/// truncated, corrupted or future model fails with <see cref="InvalidDataException"/>.
/// Format 1 also stored the class count, which nothing needed (the last layer's width is the class
/// count); format 2 leaves it out, and format-1 files still load. The dropout rate is kept: scoring
/// ignores it, but <see cref="TorchModule"/> rebuilds the trained module with its dropout layers.
/// </remarks>
internal sealed class ModelContent
{
    public const uint FormatVersion = 2;
    private static ReadOnlySpan<byte> Magic => "MLNAWMDL"u8;

    /// <summary>0 binary, 1 multiclass, 2 regression.</summary>
    public required byte Task { get; init; }

    public required IReadOnlyList<DenseLayer> Layers { get; init; }

    public required int[] HiddenLayers { get; init; }

    public required int ActivationCode { get; init; }

    public required bool BatchNorm { get; init; }

    /// <summary>The dropout rate the network was trained with (its module has dropout layers).</summary>
    public required double Dropout { get; init; }

    /// <summary>The TorchSharp module's <c>save</c> bytes, for warm starts.</summary>
    public required byte[] NetworkState { get; init; }

    public required string NetworkDescription { get; init; }

    public required string OptimizerDescription { get; init; }

    public required TrainingHistory History { get; init; }

    /// <summary>The gradient-scale diagnostics recorded while training; in memory only (not in the file), so null after loading.</summary>
    public Diagnostics.GradientScaleDiagnostics? Diagnostics { get; init; }

    public int Inputs => Layers[0].Inputs;

    public void Write(BinaryWriter writer)
    {
        using var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
            WritePayload(w);
        var bytes = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write((long)bytes.Length);
        writer.Write(SHA256.HashData(bytes));
        writer.Write(bytes);
    }

    public static ModelContent Read(BinaryReader reader)
    {
        try
        {
            var magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
                throw new InvalidDataException("The model data is not an MLNet.AdamW network (bad magic); the file is corrupted or not ours.");
            var format = reader.ReadUInt32();
            if (format > FormatVersion)
                throw new InvalidDataException($"The model was saved by a newer MLNet.AdamW (network format {format}); this version reads format {FormatVersion} and older. Upgrade MLNet.AdamW to load it.");
            if (format == 0)
                throw new InvalidDataException("The model data is corrupted (network format 0).");
            var length = reader.ReadInt64();
            var stream = reader.BaseStream;
            var remaining = stream.CanSeek ? stream.Length - stream.Position - 32 : long.MaxValue;
            if (length < 0 || length > remaining || length > int.MaxValue)
                throw new InvalidDataException($"The model data is truncated or corrupted: the network claims {length} bytes, {Math.Max(remaining, 0)} remain.");
            var hash = reader.ReadBytes(32);
            var bytes = reader.ReadBytes((int)length);
            if (hash.Length != 32 || bytes.Length != length)
                throw new InvalidDataException("The model data is truncated.");
            if (!SHA256.HashData(bytes).AsSpan().SequenceEqual(hash))
                throw new InvalidDataException("The model data is corrupted: its checksum does not match.");
            using var payload = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            return ReadPayload(payload, format);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The model data is truncated.", e);
        }
    }

    private void WritePayload(BinaryWriter w)
    {
        w.Write(Task);
        w.Write(Layers.Count);
        foreach (var layer in Layers)
        {
            w.Write(layer.Inputs);
            w.Write(layer.Outputs);
            w.Write((byte)layer.Activation);
            w.Write(layer.NegativeSlope);
            WriteFloats(w, layer.Weights);
            WriteFloats(w, layer.Bias);
        }
        w.Write(HiddenLayers.Length);
        foreach (var h in HiddenLayers)
            w.Write(h);
        w.Write(ActivationCode);
        w.Write(BatchNorm);
        w.Write(Dropout);
        w.Write(NetworkState.Length);
        w.Write(NetworkState);
        w.Write(NetworkDescription);
        w.Write(OptimizerDescription);
        History.Write(w);
    }

    private static ModelContent ReadPayload(BinaryReader r, uint format)
    {
        var task = r.ReadByte();
        if (task > 2)
            throw new InvalidDataException($"Unknown task code {task} in the model.");
        if (format == 1)
            _ = r.ReadInt32(); // the class count
        var layerCount = Count(r, 1024, "layers");
        var layers = new List<DenseLayer>(layerCount);
        for (var i = 0; i < layerCount; i++)
        {
            var inputs = r.ReadInt32();
            var outputs = r.ReadInt32();
            var activation = (LayerActivation)r.ReadByte();
            var slope = r.ReadSingle();
            var weights = ReadFloats(r);
            var bias = ReadFloats(r);
            layers.Add(new DenseLayer(inputs, outputs, weights, bias, activation, slope));
        }
        var hidden = new int[Count(r, 1024, "hidden layers")];
        for (var i = 0; i < hidden.Length; i++)
            hidden[i] = r.ReadInt32();
        var activationCode = r.ReadInt32();
        var batchNorm = r.ReadBoolean();
        var dropout = r.ReadDouble();
        if (!(dropout >= 0 && dropout < 1))
            throw new InvalidDataException($"The model data is corrupted: dropout rate {dropout}.");
        var state = r.ReadBytes(Count(r, int.MaxValue, "network state bytes"));
        var networkDescription = r.ReadString();
        var optimizerDescription = r.ReadString();
        var history = TrainingHistory.Read(r);
        if (r.BaseStream.Position != r.BaseStream.Length)
            throw new InvalidDataException("The model data has trailing bytes.");
        var content = new ModelContent
        {
            Task = task, Layers = layers, HiddenLayers = hidden, ActivationCode = activationCode,
            BatchNorm = batchNorm, Dropout = dropout, NetworkState = state, NetworkDescription = networkDescription,
            OptimizerDescription = optimizerDescription, History = history,
        };
        _ = new ManagedForward(layers);
        return content;
    }

    private static int Count(BinaryReader r, int max, string what)
    {
        var n = r.ReadInt32();
        if (n < 0 || n > max || n > r.BaseStream.Length - r.BaseStream.Position)
            throw new InvalidDataException($"The model data is corrupted: {n} {what}.");
        return n;
    }

    private static void WriteFloats(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static float[] ReadFloats(BinaryReader r)
    {
        var n = r.ReadInt32();
        if (n < 0 || (long)n * sizeof(float) > r.BaseStream.Length - r.BaseStream.Position)
            throw new InvalidDataException($"The model data is corrupted: {n} values.");
        var values = new float[n];
        r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
