using System.Security.Cryptography;
using System.Text;
using MLNet.AdamW.Diagnostics;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Model;

/// <summary>
/// Everything a trained model carries: the network (its kind and every setting), its weights as
/// named tensors, and what a user may ask about it (descriptions, history).
/// </summary>
/// <remarks>
/// <para>Stored as one framed, checksummed blob inside ML.NET's model file:</para>
/// <code>
/// "MLNAWMDL" | uint32 format | int64 length | SHA-256 of payload (32 bytes) | payload
/// </code>
/// <para>The frame is validated — magic, a known format, a length that fits in what is left of the
/// stream, the checksum — before any byte of the payload is parsed or reaches native code, so a
/// truncated, corrupted or future model fails with <see cref="InvalidDataException"/>.</para>
/// <para>Format 3, the payload (little-endian; strings as .NET's <c>BinaryWriter</c> writes them):</para>
/// <code>
/// byte task (0 binary, 1 multiclass, 2 regression)
/// network: byte kind (1 MLP, 2 CNN, 3 ResNet) | int32 inputs | int32 outputs
///          | bool has image [| int32 channels | int32 height | int32 width]
///          | the kind's settings, field by field (NetworkDefinition.Write):
///            MLP    int32 n, n × int32 hidden widths | int32 activation | bool batch norm | double dropout
///            CNN    int32 n, n × int32 widths | bool batch norm
///            ResNet int32 depth | int32 width | bool batch norm | bool projection shortcuts
/// tensors: int32 count, then per tensor (the module's state_dict order, buffers included):
///          string name | int32 rank | rank × int64 dimensions | product × float32 values (row-major)
/// string optimizer description | training history (TrainingHistory.Write)
/// [optional trailing sections, each: byte kind | int32 length | length bytes]
///   kind 1: gradient-scale diagnostics, the UTF-8 JSON of GradientScaleDiagnostics.WriteJson (unindented)
/// </code>
/// <para>A trailing section is written only when there is something to store (a model trained without
/// <c>Diagnostics</c> has none, so its bytes are those of a format-3 model before sections existed); a
/// reader skips a kind it does not know, so later versions can add sections without a new format.</para>
/// <para>Each weight is stored once, in that neutral layout (ONNX export, scoring and TorchSharp
/// modules are all built from it). An MLP is scored in managed code from dense layers folded from
/// the tensors when the model loads; the convolutional networks by libtorch modules built from them.
/// Batch norm's <c>num_batches_tracked</c> counters are kept (as floats) so that a rebuilt module's
/// state is the trained one.</para>
/// <para>Formats 1 and 2 stored the MLP's folded dense layers, its settings and TorchSharp's
/// <c>module.save</c> bytes side by side (format 1 also the class count); they still load: the
/// settings become an <see cref="MlpNetwork"/> and the module bytes the named tensors (read in
/// managed code), from which the same dense layers are folded again, bit for bit.</para>
/// </remarks>
internal sealed class ModelContent
{
    public const uint FormatVersion = 3;
    private static ReadOnlySpan<byte> Magic => "MLNAWMDL"u8;

    /// <summary>0 binary, 1 multiclass, 2 regression.</summary>
    public required byte Task { get; init; }

    /// <summary>The trained network's definition: kind, sizes, image shape and settings.</summary>
    public required NetworkDefinition Network { get; init; }

    /// <summary>The trained module's state_dict: parameters and buffers, by name.</summary>
    public required IReadOnlyList<NamedTensor> Tensors { get; init; }

    public required string OptimizerDescription { get; init; }

    public required TrainingHistory History { get; init; }

    /// <summary>The gradient-scale diagnostics recorded while training, if any (the optional trailing section of the payload).</summary>
    public GradientScaleDiagnostics? Diagnostics { get; init; }

    public string NetworkDescription => Network.Description;

    public int Inputs => Network.InputSize;

    public int Outputs => Network.OutputSize;

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
        Network.Write(w);
        w.Write(Tensors.Count);
        foreach (var tensor in Tensors)
        {
            w.Write(tensor.Name);
            w.Write(tensor.Shape.Length);
            foreach (var d in tensor.Shape)
                w.Write(d);
            w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.Values.AsSpan()));
        }
        w.Write(OptimizerDescription);
        History.Write(w);
        if (Diagnostics is not null)
        {
            using var json = new MemoryStream();
            Diagnostics.WriteJson(json, indented: false);
            w.Write(DiagnosticsSection);
            w.Write((int)json.Length);
            w.Write(json.GetBuffer().AsSpan(0, (int)json.Length));
        }
    }

    /// <summary>The kind of the trailing section that holds the gradient-scale diagnostics.</summary>
    private const byte DiagnosticsSection = 1;

    /// <summary>The trailing sections after the history (format 3): the diagnostics, if there; unknown kinds skipped.</summary>
    private static GradientScaleDiagnostics? ReadSections(BinaryReader r)
    {
        GradientScaleDiagnostics? diagnostics = null;
        while (r.BaseStream.Position < r.BaseStream.Length)
        {
            var kind = r.ReadByte();
            var length = Count(r, int.MaxValue, $"bytes in trailing section {kind}");
            var bytes = r.ReadBytes(length);
            if (kind != DiagnosticsSection)
                continue;
            using var json = new MemoryStream(bytes, writable: false);
            diagnostics = GradientScaleDiagnostics.ReadJson(json);
        }
        return diagnostics;
    }

    private static ModelContent ReadPayload(BinaryReader r, uint format)
    {
        var task = r.ReadByte();
        if (task > 2)
            throw new InvalidDataException($"Unknown task code {task} in the model.");
        var (network, tensors) = format < 3 ? ReadMlpOfFormat1Or2(r, format) : (NetworkDefinition.Read(r), ReadTensors(r));
        var optimizerDescription = r.ReadString();
        var history = TrainingHistory.Read(r);
        if (format < 3 && r.BaseStream.Position != r.BaseStream.Length)
            throw new InvalidDataException("The model data has trailing bytes.");
        var diagnostics = format < 3 ? null : ReadSections(r);
        var content = new ModelContent
        {
            Task = task, Network = network, Tensors = tensors, OptimizerDescription = optimizerDescription, History = history,
            Diagnostics = diagnostics,
        };
        if (network is MlpNetwork mlp)
            _ = new ManagedForward(NetworkExport.ToDenseLayers(mlp, tensors));
        return content;
    }

    private static List<NamedTensor> ReadTensors(BinaryReader r)
    {
        var count = Count(r, 1 << 16, "tensors");
        var tensors = new List<NamedTensor>(count);
        for (var i = 0; i < count; i++)
        {
            var name = r.ReadString();
            var rank = Count(r, 8, $"dimensions of tensor '{name}'");
            var shape = new long[rank];
            long size = 1;
            for (var d = 0; d < rank; d++)
            {
                shape[d] = r.ReadInt64();
                if (shape[d] < 0 || shape[d] > int.MaxValue)
                    throw new InvalidDataException($"The model data is corrupted: tensor '{name}' has a dimension of {shape[d]}.");
                size *= shape[d];
                if (size * sizeof(float) > r.BaseStream.Length - r.BaseStream.Position)
                    throw new InvalidDataException($"The model data is corrupted: tensor '{name}' claims more values than remain.");
            }
            var values = new float[size];
            r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
            tensors.Add(new NamedTensor(name, shape, values));
        }
        return tensors;
    }

    /// <summary>
    /// Formats 1 and 2: the folded dense layers (checked, then dropped: they are folded again from the
    /// tensors), the MLP's settings and the module's save bytes.
    /// </summary>
    private static (NetworkDefinition Network, List<NamedTensor> Tensors) ReadMlpOfFormat1Or2(BinaryReader r, uint format)
    {
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
        var forward = new ManagedForward(layers);
        var hidden = new int[Count(r, 1024, "hidden layers")];
        for (var i = 0; i < hidden.Length; i++)
            hidden[i] = r.ReadInt32();
        var activationCode = r.ReadInt32();
        var batchNorm = r.ReadBoolean();
        var dropout = r.ReadDouble();
        var state = r.ReadBytes(Count(r, int.MaxValue, "network state bytes"));
        _ = r.ReadString(); // the network's description, now derived from its settings
        var network = new MlpNetwork(forward.Inputs, hidden, (Activation)activationCode, batchNorm, dropout, forward.Outputs);
        try
        {
            network.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The model data is corrupted: its network is out of range ({e.Message}).", e);
        }
        return (network, StateDictionary.Read(state));
    }

    private static int Count(BinaryReader r, int max, string what)
    {
        var n = r.ReadInt32();
        if (n < 0 || n > max || n > r.BaseStream.Length - r.BaseStream.Position)
            throw new InvalidDataException($"The model data is corrupted: {n} {what}.");
        return n;
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
