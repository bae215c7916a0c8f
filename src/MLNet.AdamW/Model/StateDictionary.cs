using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Model;

/// <summary>
/// A network's <c>state_dict</c> as <see cref="NamedTensor"/>s, and back: from and into a live module
/// (libtorch), and from and to TorchSharp's <c>module.save</c> bytes in managed code, so that reading
/// an older model file or writing <c>SaveTorchModule</c> needs no native library.
/// </summary>
/// <remarks>
/// TorchSharp's format: the entry count, then per entry the name (a .NET <c>BinaryWriter</c> string),
/// the scalar type, the rank and each dimension (all as 7-bit encoded integers), then the values'
/// bytes. Every tensor of our networks is Float32 except batch norm's <c>num_batches_tracked</c>
/// counter (Int64), which a <see cref="NamedTensor"/> holds as a float (exact below 2²⁴ batches)
/// and which is written back as Int64.
/// </remarks>
internal static class StateDictionary
{
    private const long Float32Code = (long)ScalarType.Float32;
    private const long Int64Code = (long)ScalarType.Int64;
    private const string CounterSuffix = "num_batches_tracked";

    /// <summary>Whether the entry is an Int64 counter in TorchSharp (batch norm's batch count).</summary>
    public static bool IsCounter(string name) => name == CounterSuffix || name.EndsWith("." + CounterSuffix, StringComparison.Ordinal);

    /// <summary>Every entry of the module's state_dict (parameters and buffers), in its order, as Float32.</summary>
    public static List<NamedTensor> FromModule(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var tensors = new List<NamedTensor>();
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
        {
            var values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
            tensors.Add(new NamedTensor(name, tensor.shape, values));
        }
        return tensors;
    }

    /// <summary>Copies the tensors into a module of the same layout: every entry must be there, by name and shape.</summary>
    /// <exception cref="InvalidDataException">An entry is missing, extra or of another shape; the message names it.</exception>
    public static void LoadInto(nn.Module module, IReadOnlyList<NamedTensor> tensors, string source)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(tensors);
        var byName = ByName(tensors, source);
        var state = module.state_dict();
        if (state.Count != byName.Count)
            throw new InvalidDataException(
                $"{source} holds {byName.Count} tensors but the network has {state.Count}: {string.Join(", ", byName.Keys.Except(state.Keys).Concat(state.Keys.Except(byName.Keys)).Take(5))} differ.");
        using var noGrad = torch.no_grad();
        foreach (var (name, target) in state)
        {
            if (!byName.TryGetValue(name, out var saved))
                throw new InvalidDataException($"{source} has no tensor '{name}'.");
            if (!saved.Shape.SequenceEqual(target.shape))
                throw new InvalidDataException(
                    $"{source}'s tensor '{name}' is [{string.Join(", ", saved.Shape)}] but the network's is [{string.Join(", ", target.shape)}].");
            using var values = torch.tensor(saved.Values, saved.Shape, ScalarType.Float32);
            target.copy_(values);
        }
    }

    /// <summary>Reads TorchSharp <c>module.save</c> bytes (Float32 and Int64 entries).</summary>
    /// <exception cref="InvalidDataException">The bytes are not such a state dictionary.</exception>
    public static List<NamedTensor> Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            var count = reader.Read7BitEncodedInt64();
            if (count < 0 || count > bytes.Length)
                throw new InvalidDataException($"The network state is corrupted: {count} entries.");
            var tensors = new List<NamedTensor>((int)count);
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var type = reader.Read7BitEncodedInt64();
                var rank = reader.Read7BitEncodedInt64();
                if (rank < 0 || rank > 8)
                    throw new InvalidDataException($"The network state is corrupted: tensor '{name}' has rank {rank}.");
                var shape = new long[rank];
                long size = 1;
                for (var d = 0; d < rank; d++)
                {
                    shape[d] = reader.Read7BitEncodedInt64();
                    if (shape[d] < 0 || shape[d] > bytes.Length)
                        throw new InvalidDataException($"The network state is corrupted: tensor '{name}' has a dimension of {shape[d]}.");
                    size *= shape[d];
                }
                if (size > bytes.Length)
                    throw new InvalidDataException($"The network state is corrupted: tensor '{name}' claims {size} values.");
                var values = new float[size];
                if (type == Float32Code)
                {
                    reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
                }
                else if (type == Int64Code)
                {
                    for (var k = 0; k < values.Length; k++)
                        values[k] = reader.ReadInt64();
                }
                else
                {
                    throw new InvalidDataException($"The network state's tensor '{name}' has scalar type {type}; only Float32 and Int64 are expected.");
                }
                tensors.Add(new NamedTensor(name, shape, values));
            }
            if (reader.BaseStream.Position != bytes.Length)
                throw new InvalidDataException("The network state has trailing bytes.");
            return tensors;
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The network state is truncated.", e);
        }
    }

    /// <summary>Writes the tensors as TorchSharp's <c>module.save</c> does (counters as Int64, the rest Float32).</summary>
    public static void Write(Stream stream, IReadOnlyList<NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write7BitEncodedInt64(tensors.Count);
        foreach (var tensor in tensors)
        {
            writer.Write(tensor.Name);
            var counter = IsCounter(tensor.Name);
            writer.Write7BitEncodedInt64(counter ? Int64Code : Float32Code);
            writer.Write7BitEncodedInt64(tensor.Shape.Length);
            foreach (var d in tensor.Shape)
                writer.Write7BitEncodedInt64(d);
            if (counter)
            {
                foreach (var v in tensor.Values)
                    writer.Write((long)v);
            }
            else
            {
                writer.Write(MemoryMarshal.AsBytes(tensor.Values.AsSpan()));
            }
        }
    }

    /// <summary>The <c>module.save</c> bytes of the tensors.</summary>
    public static byte[] ToBytes(IReadOnlyList<NamedTensor> tensors)
    {
        using var stream = new MemoryStream();
        Write(stream, tensors);
        return stream.ToArray();
    }

    /// <summary>The tensors by name; a repeated name is corrupt data.</summary>
    public static Dictionary<string, NamedTensor> ByName(IReadOnlyList<NamedTensor> tensors, string source)
    {
        var byName = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
            if (!byName.TryAdd(tensor.Name, tensor))
                throw new InvalidDataException($"{source} holds the tensor '{tensor.Name}' twice.");
        return byName;
    }
}
