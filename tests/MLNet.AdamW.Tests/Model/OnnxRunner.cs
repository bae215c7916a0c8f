using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLNet.AdamW.Tests.Model;

/// <summary>
/// Runs an exported ONNX model with ONNX Runtime on the rows of an <see cref="IDataView"/>, feeding
/// every graph input from the column of that name, and reads what the model file declares.
/// </summary>
internal static class OnnxRunner
{
    /// <summary>ML.NET names each exported column's graph output "column.output".</summary>
    public static Dictionary<string, Array> Run(byte[] model, IDataView input)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var inputs = session.InputMetadata.Select(i => Input(i.Key, i.Value.Dimensions, input)).ToList();
        using var results = session.Run(inputs);
        var outputs = new Dictionary<string, Array>();
        foreach (var result in results)
        {
            const string suffix = ".output";
            var name = result.Name.EndsWith(suffix, StringComparison.Ordinal) ? result.Name[..^suffix.Length] : result.Name;
            outputs[name] = result.ElementType switch
            {
                TensorElementType.Float => result.AsTensor<float>().ToArray(),
                TensorElementType.Bool => result.AsTensor<bool>().ToArray(),
                TensorElementType.UInt32 => result.AsTensor<uint>().ToArray(),
                TensorElementType.String => result.AsTensor<string>().ToArray(),
                TensorElementType.Int64 => result.AsTensor<long>().ToArray(),
                var other => throw new NotSupportedException($"Output '{result.Name}' is {other}."),
            };
        }
        return outputs;
    }

    /// <summary>The version of the default (ai.onnx) operator set the model imports, read from its protobuf.</summary>
    public static long DefaultOpSet(byte[] model)
    {
        // ModelProto.opset_import = 8, OperatorSetIdProto.domain = 1 (string), version = 2 (int64).
        var versions = new List<long>();
        var reader = new CodedInputStream(model);
        for (uint tag; (tag = reader.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 8)
            {
                reader.SkipLastField();
                continue;
            }
            var opSet = new CodedInputStream(reader.ReadBytes().ToByteArray());
            string domain = "";
            long version = -1;
            for (uint inner; (inner = opSet.ReadTag()) != 0;)
            {
                switch (WireFormat.GetTagFieldNumber(inner))
                {
                    case 1: domain = opSet.ReadString(); break;
                    case 2: version = opSet.ReadInt64(); break;
                    default: opSet.SkipLastField(); break;
                }
            }
            if (domain is "" or "ai.onnx")
                versions.Add(version);
        }
        return Assert.Single(versions);
    }

    private static NamedOnnxValue Input(string name, int[] dimensions, IDataView data)
    {
        var column = data.Schema.GetColumnOrNull(name)
            ?? throw new InvalidOperationException($"The ONNX model takes '{name}', which the data does not have.");
        return column.Type switch
        {
            VectorDataViewType { ItemType.RawType: var item, Size: var size } when item == typeof(float) =>
                Tensor(name, data.GetColumn<VBuffer<float>>(name).SelectMany(b => b.DenseValues()).ToArray(), size, dimensions),
            var t when t.RawType == typeof(float) => Tensor(name, data.GetColumn<float>(name).ToArray(), 1),
            var t when t.RawType == typeof(bool) => Tensor(name, data.GetColumn<bool>(name).ToArray(), 1),
            TextDataViewType => Tensor(name, data.GetColumn<string>(name).ToArray(), 1),
            var t => throw new NotSupportedException($"Input '{name}' of type {t} is not fed by these tests."),
        };
    }

    /// <summary>
    /// ML.NET's ONNX graphs take every column as [rows, width], scalars as width 1, or as [rows, the
    /// vector's dimensions] when a vector column has several (<paramref name="dimensions"/>, rows unknown).
    /// </summary>
    private static NamedOnnxValue Tensor<T>(string name, T[] values, int width, int[]? dimensions = null)
    {
        var rows = values.Length / width;
        int[] shape = dimensions is { Length: > 2 } ? [rows, .. dimensions[1..]] : [rows, width];
        return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<T>(values, shape));
    }
}
