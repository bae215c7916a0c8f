using MLNet.AdamW.Internal;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// Options of <see cref="AdamOptimizer"/>: Adam's moments plus a weight-decay mode.
/// </summary>
/// <remarks>
/// The defaults are PyTorch's <c>torch.optim.AdamW</c>: α = 1e-3, β = (0.9, 0.999), ε = 1e-8 and
/// decoupled decay λ = 1e-2 scaled by the learning rate. Set <see cref="WeightDecayMode"/> to
/// <see cref="WeightDecayMode.Proximal"/> for AdamProx, <see cref="WeightDecayMode.L2"/> for Adam-ℓ2
/// (<c>torch.optim.Adam(weight_decay)</c>) or <see cref="WeightDecayMode.None"/> with λ = 0 for Adam.
/// </remarks>
public sealed class AdamOptimizerOptions : WeightDecayOptimizerOptions
{
    /// <summary>The base learning rate α.</summary>
    /// <value>Default 1e-3 (Kingma &amp; Ba; PyTorch). Finite and greater than 0.</value>
    public override double LearningRate { get; set; } = 1e-3;

    /// <summary>The weight decay factor λ.</summary>
    /// <value>Default 1e-2, PyTorch's AdamW default. Finite and ≥ 0.</value>
    public override double WeightDecay { get; set; } = 1e-2;

    /// <summary>How λ enters a step.</summary>
    /// <value>Default <see cref="WeightDecayMode.Decoupled"/> (AdamW).</value>
    public override WeightDecayMode WeightDecayMode { get; set; } = WeightDecayMode.Decoupled;

    /// <summary>Decay rate β1 of the first-moment average.</summary>
    /// <value>Default 0.9. In [0, 1).</value>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>Decay rate β2 of the second-moment average.</summary>
    /// <value>Default 0.999. In [0, 1).</value>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>ε, added to √v̂ after bias correction (outside the square root, as in PyTorch).</summary>
    /// <value>Default 1e-8. Finite and ≥ 0; 0 makes Adam exactly scale-free but divides by zero
    /// for a coordinate whose gradient has always been 0.</value>
    public double Epsilon { get; set; } = 1e-8;

    /// <summary>Whether to divide by the running maximum of the second moment (AMSGrad, Reddi et al. 2018).</summary>
    /// <value>Default false.</value>
    /// <remarks>As in PyTorch, Keras, TorchSharp and the paper's code: v_max,t = max(v_max,t-1, v_t)
    /// over the raw v_t, and v̂_t = v_max,t / (1 − β2^t) with the current bias correction. (optax
    /// keeps the maximum of the bias-corrected v̂ instead; that variant is not offered.) State saved
    /// with AMSGrad by MLNet.AdamW before this rule (state format 1) is refused by
    /// <see cref="WeightDecayOptimizer.LoadState"/>.</remarks>
    public bool AmsGrad { get; set; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Check.InHalfOpen(Beta1, 0, 1, nameof(Beta1));
        Check.InHalfOpen(Beta2, 0, 1, nameof(Beta2));
        Check.NonNegative(Epsilon, nameof(Epsilon));
    }

    internal override int StateBuffersPerParameter => AmsGrad ? 3 : 2;

    /// <summary>Returns an independent copy.</summary>
    public AdamOptimizerOptions Clone()
    {
        var copy = new AdamOptimizerOptions { Beta1 = Beta1, Beta2 = Beta2, Epsilon = Epsilon, AmsGrad = AmsGrad };
        CopyTo(copy);
        return copy;
    }
}
