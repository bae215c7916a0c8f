using MLNet.AdamW.Optimizers;

namespace MLNet.AdamW.Tests.Optimizers;

/// <summary>
/// A slow, scalar, double-precision transcription of the update rules in the README ("The update
/// rules"), written independently of the library's kernels (explicit m̂ and v̂, AMSGrad's maximum
/// of the raw v divided by the current bias correction as in PyTorch, a real division for the
/// proximal step, the momentum buffer's first step as a branch).
/// </summary>
internal sealed class ReferenceOptimizer
{
    private readonly OptimizerCase _case;
    private readonly double[] _m;
    private readonly double[] _v;
    private readonly double[] _maxV;
    private readonly double[] _buffer;
    private long _t;

    public ReferenceOptimizer(OptimizerCase optimizerCase, double[] x0)
    {
        _case = optimizerCase;
        X = (double[])x0.Clone();
        _m = new double[x0.Length];
        _v = new double[x0.Length];
        _maxV = new double[x0.Length];
        _buffer = new double[x0.Length];
    }

    public double[] X { get; }

    /// <param name="g">The minibatch gradient at the current X.</param>
    /// <param name="learningRate">The current scheduled rate α·η_t.</param>
    public void Step(double[] g, double learningRate)
    {
        var c = _case;
        _t++;
        var eta = learningRate / c.LearningRate;
        var d = c.Scaling == WeightDecayScaling.LearningRate ? learningRate * c.WeightDecay : eta * c.WeightDecay;
        for (var i = 0; i < X.Length; i++)
        {
            var gi = c.Mode == WeightDecayMode.L2 ? g[i] + c.WeightDecay * X[i] : g[i];
            double p;
            if (c.Kind == OptimizerKind.Adam)
            {
                _m[i] = c.Beta1 * _m[i] + (1 - c.Beta1) * gi;
                _v[i] = c.Beta2 * _v[i] + (1 - c.Beta2) * gi * gi;
                var mHat = _m[i] / (1 - Math.Pow(c.Beta1, _t));
                _maxV[i] = Math.Max(_maxV[i], _v[i]);
                var vHat = (c.AmsGrad ? _maxV[i] : _v[i]) / (1 - Math.Pow(c.Beta2, _t));
                p = mHat / (Math.Sqrt(vHat) + c.Epsilon);
            }
            else if (c.Momentum != 0)
            {
                _buffer[i] = _t == 1 ? gi : c.Momentum * _buffer[i] + (1 - c.Dampening) * gi;
                p = c.Nesterov ? gi + c.Momentum * _buffer[i] : _buffer[i];
            }
            else
            {
                p = gi;
            }

            X[i] = c.Mode switch
            {
                WeightDecayMode.Decoupled => (1 - d) * X[i] - learningRate * p,
                WeightDecayMode.Proximal => (X[i] - learningRate * p) / (1 + d),
                _ => X[i] - learningRate * p,
            };
        }
    }
}
