using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace MLNet.AdamW.Model;

/// <summary>
/// Scores one row with the trained network in managed code: no libtorch call, no allocation, and
/// no shared mutable state, so ML.NET may call it from any number of threads at once.
/// </summary>
/// <remarks>
/// A per-row call into libtorch costs several P/Invokes and native tensor allocations for a
/// few thousand multiply-adds; the managed pass is faster for the small dense networks the
/// trainers build, and keeps prediction free of native state (see the scoring benchmark).
/// </remarks>
internal sealed class ManagedForward : INetworkScorer
{
    private readonly DenseLayer[] _layers;
    private readonly int _widest;

    public ManagedForward(IReadOnlyList<DenseLayer> layers)
    {
        if (layers.Count == 0)
            throw new InvalidDataException("A network needs at least one layer.");
        for (var i = 1; i < layers.Count; i++)
            if (layers[i].Inputs != layers[i - 1].Outputs)
                throw new InvalidDataException($"Layer {i} takes {layers[i].Inputs} inputs but layer {i - 1} gives {layers[i - 1].Outputs}.");
        _layers = [.. layers];
        _widest = Math.Max(layers[0].Inputs, layers.Max(l => l.Outputs));
    }

    public int Inputs => _layers[0].Inputs;

    public int Outputs => _layers[^1].Outputs;

    public IReadOnlyList<DenseLayer> Layers => _layers;

    /// <summary>Runs the network on one dense input row.</summary>
    public void Run(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != Inputs)
            throw new ArgumentException($"The network takes {Inputs} features; the row has {input.Length}.", nameof(input));
        var rented = ArrayPool<float>.Shared.Rent(2 * _widest);
        try
        {
            var a = rented.AsSpan(0, _widest);
            var b = rented.AsSpan(_widest, _widest);
            input.CopyTo(a);
            var current = a[..input.Length];
            foreach (var layer in _layers)
            {
                var next = (current.Overlaps(a) ? b : a)[..layer.Outputs];
                Apply(layer, current, next);
                current = next;
            }
            current.CopyTo(output);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private static void Apply(DenseLayer layer, ReadOnlySpan<float> x, Span<float> y)
    {
        var weights = layer.Weights.AsSpan();
        for (var o = 0; o < layer.Outputs; o++)
            y[o] = Dot(weights.Slice(o * layer.Inputs, layer.Inputs), x) + layer.Bias[o];
        Activate(layer.Activation, layer.NegativeSlope, y);
    }

    private static float Dot(ReadOnlySpan<float> u, ReadOnlySpan<float> v)
    {
        var sum = Vector<float>.Zero;
        var i = 0;
        var uv = MemoryMarshal.Cast<float, Vector<float>>(u);
        var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
        for (var k = 0; k < uv.Length; k++)
            sum += uv[k] * vv[k];
        i = uv.Length * Vector<float>.Count;
        var total = Vector.Sum(sum);
        for (; i < u.Length; i++)
            total += u[i] * v[i];
        return total;
    }

    private static void Activate(LayerActivation activation, float negativeSlope, Span<float> y)
    {
        switch (activation)
        {
            case LayerActivation.Identity:
                return;
            case LayerActivation.ReLU:
                foreach (ref var v in y)
                    v = MathF.Max(v, 0);
                return;
            case LayerActivation.LeakyReLU:
                foreach (ref var v in y)
                    v = v >= 0 ? v : negativeSlope * v;
                return;
            case LayerActivation.Tanh:
                foreach (ref var v in y)
                    v = MathF.Tanh(v);
                return;
            case LayerActivation.Sigmoid:
                foreach (ref var v in y)
                    v = Sigmoid(v);
                return;
            case LayerActivation.SiLU:
                foreach (ref var v in y)
                    v *= Sigmoid(v);
                return;
            case LayerActivation.GELU:
                foreach (ref var v in y)
                    v = (float)(0.5 * v * (1 + Erf(v / Math.Sqrt(2))));
                return;
            default:
                throw new InvalidOperationException($"Unknown activation {activation}.");
        }
    }

    public static float Sigmoid(float v) => v >= 0 ? 1 / (1 + MathF.Exp(-v)) : MathF.Exp(v) / (1 + MathF.Exp(v));

    /// <summary>
    /// The error function to ~1e-15 relative: Maclaurin series below 2, continued fraction for
    /// erfc above (float GELU needs far less, but the cost is negligible beside the dot products).
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
            return double.NaN;
        var ax = Math.Abs(x);
        if (ax > 6)
            return Math.Sign(x);
        double result;
        if (ax < 2)
        {
            // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
            double term = ax, sum = ax, x2 = ax * ax;
            for (var n = 1; n < 60; n++)
            {
                term *= -x2 / n;
                var add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
                    break;
            }
            result = 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + ...)))))
            var fraction = 0.0;
            for (var k = 60; k >= 1; k--)
                fraction = k / 2.0 / (ax + fraction);
            result = 1 - Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / (ax + fraction);
        }
        return x < 0 ? -result : result;
    }
}
