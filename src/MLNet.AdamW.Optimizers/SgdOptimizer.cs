using MLNet.AdamW.Internal;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional (Nesterov) momentum and a choice of weight decay:
/// an L2 penalty, decoupled (SGDW) or proximal.
/// </summary>
/// <remarks>
/// <code>
/// L2 only:     g_t ← g_t + λ·x_{t-1}
/// b_1 = g_1,   b_t = μ·b_{t-1} + (1 − τ)·g_t;   p_t = b_t, or g_t + μ·b_t (Nesterov), or g_t if μ = 0
/// None, L2:    x_t = x_{t-1} − αη_t·p_t
/// Decoupled:   x_t = (1 − d_t)·x_{t-1} − αη_t·p_t
/// Proximal:    x_t = (x_{t-1} − αη_t·p_t) / (1 + d_t)
/// </code>
/// With L2 decay and learning-rate scaling this is PyTorch's <c>torch.optim.SGD</c>.
/// </remarks>
public sealed class SgdOptimizer : WeightDecayOptimizer, IMomentum
{
    private double _momentum;
    private readonly double _dampening;
    private readonly bool _nesterov;
    private readonly bool _hasBuffer;

    /// <summary>Optimizes the given parameters, all in one group.</summary>
    public SgdOptimizer(IEnumerable<Parameter> parameters, SgdOptimizerOptions? options = null)
        : this([new ParameterGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], options)
    {
    }

    /// <summary>Optimizes the given parameter groups, each with its own overrides.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it and its range.</exception>
    public SgdOptimizer(IEnumerable<ParameterGroup> groups, SgdOptimizerOptions? options = null)
        : base(groups, (options ?? new SgdOptimizerOptions()).Clone())
    {
        var settings = (SgdOptimizerOptions)Settings;
        _momentum = settings.Momentum;
        _dampening = settings.Dampening;
        _nesterov = settings.Nesterov;
        _hasBuffer = settings.Momentum > 0;
    }

    /// <summary>Momentum factor μ; settable for momentum-cycling schedulers, but not to or from 0.</summary>
    public double Momentum
    {
        get => _momentum;
        set
        {
            Check.InHalfOpen(value, 0, 1, nameof(Momentum));
            if ((value > 0) != _hasBuffer)
                throw new ArgumentOutOfRangeException(nameof(Momentum), value,
                    "Momentum cannot be switched on or off after construction: the momentum buffer exists only when it was > 0 at construction.");
            _momentum = value;
        }
    }

    /// <summary>Dampening τ.</summary>
    public double Dampening => _dampening;

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov => _nesterov;

    private protected override TensorStep ScaledDirection(ParameterState state, Tensor gradient, double learningRate)
    {
        if (!_hasBuffer)
            return new TensorStep(learningRate, gradient, null);
        var buffer = state.Buffers[0];
        // At the first step the buffer is the gradient itself (PyTorch).
        if (state.Step == 1)
            buffer.copy_(gradient);
        else
            buffer.mul_(_momentum).add_(gradient, 1 - _dampening);
        var direction = _nesterov ? gradient.add(buffer, _momentum) : buffer;
        return new TensorStep(learningRate, direction, null);
    }

    private protected override unsafe void Update(in UpdateTarget target, long start, long count)
    {
        var scalars = new SgdKernel.Scalars(target.LearningRate, _momentum, _dampening, _nesterov, target.Step == 1, target.Decay);
        if (target.IsDouble)
            SgdKernel.Update((double*)target.X + start, (double*)target.G + start, _hasBuffer ? (double*)target.Buffer0 + start : null, count, scalars);
        else
            SgdKernel.Update((float*)target.X + start, (float*)target.G + start, _hasBuffer ? (float*)target.Buffer0 + start : null, count, scalars);
    }
}
