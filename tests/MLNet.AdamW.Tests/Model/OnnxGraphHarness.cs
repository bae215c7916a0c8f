using System.Reflection;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLNet.AdamW.Tests.Model;

/// <summary>
/// Drives ML.NET's ONNX converter context directly, to export one network without a trained model
/// around it: a graph with one input [N, features] named "Features" and one output [N, outputs]
/// named "Output", whose nodes a callback writes.
/// </summary>
/// <remarks>
/// ML.NET keeps its converter context (<c>OnnxContextImpl</c>) internal and this test project compiles
/// against the real assemblies, so it is reached by reflection here, in one place; the library's
/// emitters take it as the <c>OnnxContext</c> ML.NET passes to them during <c>ConvertToOnnx</c>.
/// </remarks>
internal static class OnnxGraphHarness
{
    public const string InputName = "Features";
    public const string OutputName = "Output";

    /// <summary>
    /// The serialized ONNX model. <paramref name="emit"/> gets the context (an <c>OnnxContext</c>), the
    /// input's and the output's variable names.
    /// </summary>
    public static byte[] Export(int features, int outputs, int opSet, Action<object, string, string> emit)
    {
        var contextType = typeof(OnnxExportExtensions).Assembly.GetType("Microsoft.ML.Model.OnnxConverter.OnnxContextImpl", throwOnError: true)!;
        var constructor = contextType.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Single();
        var versionType = constructor.GetParameters()[6].ParameterType;
        var ctx = constructor.Invoke([new MLContext(seed: 1), "network", "MLNet.AdamW.Tests", "0", 0L, "test", Enum.ToObject(versionType, 0), opSet]);

        var inputType = new VectorDataViewType(NumberDataViewType.Single, features);
        var outputType = new VectorDataViewType(NumberDataViewType.Single, outputs);
        Call(ctx, "AddInputVariable", inputType, InputName);
        var input = (string)Call(ctx, "GetVariableName", InputName)!;
        var output = (string)Call(ctx, "AddIntermediateVariable", outputType, OutputName, true)!;
        emit(ctx, input, output);
        Call(ctx, "AddOutputVariable", outputType, output, null);
        return ((IMessage)Call(ctx, "MakeModel")!).ToByteArray();
    }

    /// <summary>ONNX Runtime (one thread) on <paramref name="features"/> [rows, width]: the output, row-major.</summary>
    public static float[] Run(byte[] model, float[] features, int width)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var input = NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(),
            new DenseTensor<float>(features, [features.Length / width, width]));
        using var results = session.Run([input]);
        return results.Single().AsTensor<float>().ToArray();
    }

    /// <summary>Calls the public method of that name and arity, rethrowing what it throws as itself.</summary>
    public static object? Call(object target, string method, params object?[] arguments)
    {
        var type = target as Type ?? target.GetType();
        var candidates = type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance)
            .Where(m => m.Name == method && m.GetParameters().Length == arguments.Length)
            .ToList();
        var chosen = Assert.Single(candidates);
        try
        {
            return chosen.Invoke(target is Type ? null : target, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
