using MLNet.AdamW.Internal;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// Options of <see cref="SgdOptimizer"/>: stochastic gradient descent with optional (Nesterov)
/// momentum and a weight-decay mode.
/// </summary>
/// <remarks>
/// The momentum buffer follows PyTorch: b_1 = g_1, b_t = μ·b_{t-1} + (1 − τ)·g_t, and the direction
/// is b_t, or g_t + μ·b_t with Nesterov momentum; without momentum it is g_t. The weight-decay
/// modes act on that direction exactly as they act on Adam's.
/// </remarks>
public sealed class SgdOptimizerOptions : WeightDecayOptimizerOptions
{
    /// <summary>The base learning rate α.</summary>
    /// <value>Default 1e-3, PyTorch's default. Finite and greater than 0.</value>
    public override double LearningRate { get; set; } = 1e-3;

    /// <summary>The weight decay factor λ.</summary>
    /// <value>Default 0, as in PyTorch's SGD. Finite and ≥ 0.</value>
    public override double WeightDecay { get; set; }

    /// <summary>How λ enters a step.</summary>
    /// <value>Default <see cref="WeightDecayMode.L2"/>, PyTorch's <c>SGD(weight_decay)</c>. Without
    /// momentum and with <see cref="WeightDecayScaling.LearningRate"/> it equals Decoupled.</value>
    public override WeightDecayMode WeightDecayMode { get; set; } = WeightDecayMode.L2;

    /// <summary>Momentum factor μ.</summary>
    /// <value>Default 0 (plain SGD). In [0, 1).</value>
    public double Momentum { get; set; }

    /// <summary>Dampening τ of the momentum buffer.</summary>
    /// <value>Default 0. In [0, 1]; must be 0 with <see cref="Nesterov"/>.</value>
    public double Dampening { get; set; }

    /// <summary>Whether to use Nesterov momentum (Sutskever et al. 2013, as in PyTorch).</summary>
    /// <value>Default false. Requires <see cref="Momentum"/> &gt; 0 and <see cref="Dampening"/> = 0.</value>
    public bool Nesterov { get; set; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Check.InHalfOpen(Momentum, 0, 1, nameof(Momentum));
        Check.InClosed(Dampening, 0, 1, nameof(Dampening));
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
            throw new ArgumentException(
                $"{nameof(Nesterov)} momentum needs {nameof(Momentum)} > 0 and {nameof(Dampening)} = 0 " +
                $"(they were {Momentum} and {Dampening}).", nameof(Nesterov));
    }

    internal override int StateBuffersPerParameter => Momentum > 0 ? 1 : 0;

    /// <summary>Returns an independent copy.</summary>
    public SgdOptimizerOptions Clone()
    {
        var copy = new SgdOptimizerOptions { Momentum = Momentum, Dampening = Dampening, Nesterov = Nesterov };
        CopyTo(copy);
        return copy;
    }
}
