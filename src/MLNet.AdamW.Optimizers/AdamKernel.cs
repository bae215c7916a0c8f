using System.Numerics;
using System.Runtime.CompilerServices;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// The whole Adam step for a run of elements in one pass over x, g, m, v (and v_max), with the
/// weight-decay mode entering only through <see cref="DecayCoefficients"/>:
/// <code>
/// g ← g + penalty·x
/// m ← β1·m + (1 − β1)·g            v ← β2·v + (1 − β2)·g²
/// v̂ ← v / (1 − β2^t)               (AMSGrad: v_max ← max(v_max, v); v̂ ← v_max / (1 − β2^t))
/// x ← (shrink·x − lr/(1 − β1^t) · m / (√v̂ + ε)) · proximalScale
/// </code>
/// AMSGrad keeps the maximum of the raw v and divides it by the current bias correction, as
/// PyTorch, Keras, TorchSharp and the paper's code do.
/// </summary>
internal static unsafe class AdamKernel
{
    internal readonly record struct Scalars(
        double Beta1, double Beta2, double StepSize, double InverseBiasCorrection2, double Epsilon, DecayCoefficients Decay)
    {
        public static Scalars For(double beta1, double beta2, double epsilon, in UpdateTarget target) =>
            For(beta1, beta2, epsilon, target.Step, target.LearningRate, target.Decay);

        public static Scalars For(double beta1, double beta2, double epsilon, long step, double learningRate, DecayCoefficients decay)
        {
            var biasCorrection1 = 1 - Math.Pow(beta1, step);
            var biasCorrection2 = 1 - Math.Pow(beta2, step);
            return new(beta1, beta2, learningRate / biasCorrection1, 1 / biasCorrection2, epsilon, decay);
        }
    }

    public static void Update<T>(T* x, T* g, T* m, T* v, T* maxV, long count, in Scalars s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var b1 = T.CreateTruncating(s.Beta1);
        var b2 = T.CreateTruncating(s.Beta2);
        var c1 = T.CreateTruncating(1 - s.Beta1);
        var c2 = T.CreateTruncating(1 - s.Beta2);
        var step = T.CreateTruncating(s.StepSize);
        var invBc2 = T.CreateTruncating(s.InverseBiasCorrection2);
        var eps = T.CreateTruncating(s.Epsilon);
        var penalty = T.CreateTruncating(s.Decay.GradientPenalty);
        var shrink = T.CreateTruncating(s.Decay.Shrink);
        var prox = T.CreateTruncating(s.Decay.ProximalScale);

        long i = 0;
        if (Vector.IsHardwareAccelerated && count >= Vector<T>.Count)
        {
            var vb1 = new Vector<T>(b1);
            var vb2 = new Vector<T>(b2);
            var vc1 = new Vector<T>(c1);
            var vc2 = new Vector<T>(c2);
            var vStep = new Vector<T>(step);
            var vInvBc2 = new Vector<T>(invBc2);
            var vEps = new Vector<T>(eps);
            var vPenalty = new Vector<T>(penalty);
            var vShrink = new Vector<T>(shrink);
            var vProx = new Vector<T>(prox);
            var last = count - Vector<T>.Count;
            for (; i <= last; i += Vector<T>.Count)
            {
                var xi = Unsafe.ReadUnaligned<Vector<T>>(x + i);
                var gi = Unsafe.ReadUnaligned<Vector<T>>(g + i) + vPenalty * xi;
                var mi = vb1 * Unsafe.ReadUnaligned<Vector<T>>(m + i) + vc1 * gi;
                var vi = vb2 * Unsafe.ReadUnaligned<Vector<T>>(v + i) + vc2 * gi * gi;
                var second = vi;
                if (maxV != null)
                {
                    second = Vector.Max(Unsafe.ReadUnaligned<Vector<T>>(maxV + i), vi);
                    Unsafe.WriteUnaligned(maxV + i, second);
                }
                var vHat = second * vInvBc2;
                var update = vStep * mi / (Vector.SquareRoot(vHat) + vEps);
                Unsafe.WriteUnaligned(m + i, mi);
                Unsafe.WriteUnaligned(v + i, vi);
                Unsafe.WriteUnaligned(x + i, (vShrink * xi - update) * vProx);
            }
        }

        for (; i < count; i++)
        {
            var xi = x[i];
            var gi = g[i] + penalty * xi;
            var mi = b1 * m[i] + c1 * gi;
            var vi = b2 * v[i] + c2 * gi * gi;
            var second = vi;
            if (maxV != null)
            {
                second = T.Max(maxV[i], vi);
                maxV[i] = second;
            }
            var vHat = second * invBc2;
            m[i] = mi;
            v[i] = vi;
            x[i] = (shrink * xi - step * mi / (T.Sqrt(vHat) + eps)) * prox;
        }
    }
}
