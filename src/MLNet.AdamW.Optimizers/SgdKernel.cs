using System.Numerics;
using System.Runtime.CompilerServices;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// The whole SGD step for a run of elements in one pass, with the weight-decay mode entering
/// only through <see cref="DecayCoefficients"/>:
/// <code>
/// g ← g + penalty·x
/// b ← g at the first step, else μ·b + (1 − τ)·g;   direction d = b, or g + μ·b (Nesterov), or g (μ = 0)
/// x ← (shrink·x − lr·d) · proximalScale
/// </code>
/// </summary>
internal static unsafe class SgdKernel
{
    internal readonly record struct Scalars(
        double LearningRate, double Momentum, double Dampening, bool Nesterov, bool FirstStep, DecayCoefficients Decay);

    public static void Update<T>(T* x, T* g, T* buffer, long count, in Scalars s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lr = T.CreateTruncating(s.LearningRate);
        var mu = T.CreateTruncating(s.Momentum);
        // At the first step the buffer is the gradient itself (PyTorch): b = 0·b + 1·g.
        var keep = s.FirstStep ? T.Zero : mu;
        var take = s.FirstStep ? T.One : T.CreateTruncating(1 - s.Dampening);
        var nesterov = s.Nesterov ? mu : T.Zero;
        var penalty = T.CreateTruncating(s.Decay.GradientPenalty);
        var shrink = T.CreateTruncating(s.Decay.Shrink);
        var prox = T.CreateTruncating(s.Decay.ProximalScale);

        long i = 0;
        if (Vector.IsHardwareAccelerated && count >= Vector<T>.Count)
        {
            var vLr = new Vector<T>(lr);
            var vKeep = new Vector<T>(keep);
            var vTake = new Vector<T>(take);
            var vNesterov = new Vector<T>(nesterov);
            var vPenalty = new Vector<T>(penalty);
            var vShrink = new Vector<T>(shrink);
            var vProx = new Vector<T>(prox);
            var last = count - Vector<T>.Count;
            for (; i <= last; i += Vector<T>.Count)
            {
                var xi = Unsafe.ReadUnaligned<Vector<T>>(x + i);
                var gi = Unsafe.ReadUnaligned<Vector<T>>(g + i) + vPenalty * xi;
                Vector<T> direction;
                if (buffer != null)
                {
                    var bi = vKeep * Unsafe.ReadUnaligned<Vector<T>>(buffer + i) + vTake * gi;
                    Unsafe.WriteUnaligned(buffer + i, bi);
                    direction = s.Nesterov ? gi + vNesterov * bi : bi;
                }
                else
                {
                    direction = gi;
                }
                Unsafe.WriteUnaligned(x + i, (vShrink * xi - vLr * direction) * vProx);
            }
        }

        for (; i < count; i++)
        {
            var xi = x[i];
            var gi = g[i] + penalty * xi;
            var direction = gi;
            if (buffer != null)
            {
                var bi = keep * buffer[i] + take * gi;
                buffer[i] = bi;
                direction = s.Nesterov ? gi + nesterov * bi : bi;
            }
            x[i] = (shrink * xi - lr * direction) * prox;
        }
    }
}
