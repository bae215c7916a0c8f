using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Optimizers;

internal static class TensorValues
{
    public static double[] Of(Tensor tensor) => tensor.dtype switch
    {
        ScalarType.Float32 when tensor.is_contiguous() => tensor.data<float>().ToArray().Select(v => (double)v).ToArray(),
        ScalarType.Float64 => tensor.is_contiguous() ? tensor.data<double>().ToArray() : Converted(tensor),
        _ => Converted(tensor),
    };

    /// <summary>Any dtype or layout, through a contiguous Float64 copy (exact for Float16, BFloat16 and Float32).</summary>
    private static double[] Converted(Tensor tensor)
    {
        using var copy = tensor.to(ScalarType.Float64).contiguous();
        return copy.data<double>().ToArray();
    }

    public static double[] Of(IEnumerable<Tensor> tensors) => tensors.SelectMany(Of).ToArray();

    /// <summary>Values as the tensor's dtype stores them, back in double.</summary>
    public static double[] RoundTo(ScalarType dtype, double[] values) =>
        dtype == ScalarType.Float32 ? values.Select(v => (double)(float)v).ToArray() : (double[])values.Clone();

    public static Parameter Parameter(double[] values, long[] shape, ScalarType dtype) =>
        new(torch.tensor(values, dtype: dtype).reshape(shape));

    /// <summary>Sets each parameter's gradient from one flat array, in order.</summary>
    public static void SetGradients(IReadOnlyList<Parameter> parameters, double[] flat)
    {
        var offset = 0;
        foreach (var p in parameters)
        {
            var n = (int)p.numel();
            using var g = torch.tensor(flat.AsSpan(offset, n).ToArray(), dtype: p.dtype).reshape(p.shape);
            p.grad = g;
            offset += n;
        }
    }

    public static double MaxRelativeError(double[] actual, double[] expected)
    {
        var worst = 0.0;
        for (var i = 0; i < actual.Length; i++)
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / Math.Max(Math.Abs(expected[i]), 1e-300));
        return worst;
    }
}
