using MLNet.AdamW.Internal;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// Adam with a choice of weight decay: none (Adam), an L2 penalty (Adam-ℓ2), decoupled (AdamW)
/// or proximal (AdamProx), each with learning-rate or schedule-only decay scaling.
/// </summary>
/// <remarks>
/// <para>For every parameter with a gradient g_t, at its t-th update (t from 1), with α·η_t the
/// group's current learning rate and d_t its per-step decay (<see cref="WeightDecayScaling"/>):</para>
/// <code>
/// L2 only:     g_t ← g_t + λ·x_{t-1}
/// m_t = β1·m_{t-1} + (1 − β1)·g_t          v_t = β2·v_{t-1} + (1 − β2)·g_t²
/// m̂_t = m_t / (1 − β1^t)                   v̂_t = v_t / (1 − β2^t)
/// AMSGrad:     v_max,t = max(v_max,t-1, v_t);   v̂_t = v_max,t / (1 − β2^t)
/// p_t = m̂_t / (√v̂_t + ε)
/// None, L2:    x_t = x_{t-1} − αη_t·p_t
/// Decoupled:   x_t = (1 − d_t)·x_{t-1} − αη_t·p_t
/// Proximal:    x_t = (x_{t-1} − αη_t·p_t) / (1 + d_t)
/// </code>
/// <para>With ε = 0, multiplying the loss by c &gt; 0, or any tensor's gradient by its own constant,
/// leaves the iterates of Adam, AdamW and AdamProx unchanged; Adam-ℓ2 with λ &gt; 0 loses this
/// scale-freeness (Zhuang, Liu, Cutkosky, Orabona, "Understanding AdamW through Proximal Methods
/// and Scale-Freeness", TMLR 2022).</para>
/// <para>AMSGrad keeps the maximum of the raw second moment, as PyTorch, Keras, TorchSharp and the
/// paper's code do. Without AMSGrad, None and L2 are <c>torch.optim.Adam</c> and Decoupled with
/// learning-rate scaling is <c>torch.optim.AdamW</c>, step for step; with it, too.</para>
/// <para>For contiguous Float32/Float64 CPU parameters the update runs in one vectorized pass over
/// each tensor's memory, in parallel over chunks, instead of a chain of libtorch calls; any other
/// parameter is updated by libtorch tensor operations (<see cref="StepImplementation"/>). Use it like
/// any TorchSharp optimizer: <c>zero_grad()</c>, <c>backward()</c>, <c>step()</c>, with TorchSharp's
/// <c>lr_scheduler</c>s.</para>
/// </remarks>
/// <example>
/// <code>
/// var model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10));
/// using var optimizer = new AdamOptimizer(ParameterGroups.ForModule(model), new AdamOptimizerOptions
/// {
///     LearningRate = 1e-3, WeightDecay = 1e-2, WeightDecayMode = WeightDecayMode.Proximal,
/// });
/// optimizer.zero_grad(); loss.backward(); optimizer.step();
/// </code>
/// </example>
public sealed class AdamOptimizer : WeightDecayOptimizer, IBetas
{
    private double _beta1;
    private double _beta2;
    private readonly double _epsilon;
    private readonly bool _amsGrad;

    /// <summary>Optimizes the given parameters, all in one group.</summary>
    public AdamOptimizer(IEnumerable<Parameter> parameters, AdamOptimizerOptions? options = null)
        : this([new ParameterGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], options)
    {
    }

    /// <summary>Optimizes the given parameter groups, each with its own overrides.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it and its range.</exception>
    public AdamOptimizer(IEnumerable<ParameterGroup> groups, AdamOptimizerOptions? options = null)
        : base(groups, (options ?? new AdamOptimizerOptions()).Clone())
    {
        var settings = (AdamOptimizerOptions)Settings;
        _beta1 = settings.Beta1;
        _beta2 = settings.Beta2;
        _epsilon = settings.Epsilon;
        _amsGrad = settings.AmsGrad;
    }

    /// <summary>β1 and β2; settable so that momentum-cycling schedulers (OneCycleLR, CyclicLR) can drive β1.</summary>
    public (double, double) Betas
    {
        get => (_beta1, _beta2);
        set
        {
            Check.InHalfOpen(value.Item1, 0, 1, "Beta1");
            Check.InHalfOpen(value.Item2, 0, 1, "Beta2");
            (_beta1, _beta2) = value;
        }
    }

    /// <summary>ε, added to √v̂.</summary>
    public double Epsilon => _epsilon;

    /// <summary>Whether AMSGrad is used: the running maximum of v, divided by the current 1 − β2^t.</summary>
    public bool AmsGrad => _amsGrad;

    private protected override bool HasAmsGradBuffer => _amsGrad;

    private protected override TensorStep ScaledDirection(ParameterState state, Tensor gradient, double learningRate)
    {
        // The fused kernel's rule, as whole-tensor libtorch calls.
        var s = AdamKernel.Scalars.For(_beta1, _beta2, _epsilon, state.Step, learningRate, default);
        var (m, v) = (state.Buffers[0], state.Buffers[1]);
        m.mul_(s.Beta1).add_(gradient, 1 - s.Beta1);
        v.mul_(s.Beta2).addcmul_(gradient, gradient, 1 - s.Beta2);
        var second = v;
        if (_amsGrad)
        {
            second = state.Buffers[2];
            second.clamp_(min: v);
        }
        var denominator = second.mul(s.InverseBiasCorrection2).sqrt_().add_(s.Epsilon);
        return new TensorStep(s.StepSize, m, denominator);
    }

    private protected override unsafe void Update(in UpdateTarget target, long start, long count)
    {
        var scalars = AdamKernel.Scalars.For(_beta1, _beta2, _epsilon, target);
        if (target.IsDouble)
        {
            AdamKernel.Update((double*)target.X + start, (double*)target.G + start, (double*)target.Buffer0 + start,
                (double*)target.Buffer1 + start, _amsGrad ? (double*)target.Buffer2 + start : null, count, scalars);
        }
        else
        {
            AdamKernel.Update((float*)target.X + start, (float*)target.G + start, (float*)target.Buffer0 + start,
                (float*)target.Buffer1 + start, _amsGrad ? (float*)target.Buffer2 + start : null, count, scalars);
        }
    }
}
