using MLNet.AdamW.Internal;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// Settings shared by <see cref="AdamOptimizerOptions"/> and <see cref="SgdOptimizerOptions"/>:
/// the learning rate and how weight decay is applied.
/// </summary>
/// <remarks>
/// An optimizer copies its options when it is constructed and validates them once; changing an
/// options object afterwards does not affect an optimizer built from it. Per-group learning rates
/// and decay factors can be set through <see cref="ParameterGroup"/>.
/// </remarks>
public abstract class WeightDecayOptimizerOptions
{
    private protected WeightDecayOptimizerOptions()
    {
    }

    /// <summary>The base learning rate α.</summary>
    /// <value>Finite and greater than 0. Defaults: see the derived options.</value>
    public abstract double LearningRate { get; set; }

    /// <summary>The weight decay factor λ.</summary>
    /// <value>Finite and ≥ 0; must be 0 when <see cref="WeightDecayMode"/> is <see cref="WeightDecayMode.None"/>.</value>
    public abstract double WeightDecay { get; set; }

    /// <summary>How λ enters a step: as an L2 penalty on the gradient, decoupled, or proximal.</summary>
    public abstract WeightDecayMode WeightDecayMode { get; set; }

    /// <summary>Whether the per-step decay is α·η_t·λ (<see cref="WeightDecayScaling.LearningRate"/>) or η_t·λ (<see cref="WeightDecayScaling.Schedule"/>).</summary>
    /// <value>Default <see cref="WeightDecayScaling.LearningRate"/>, the convention of PyTorch, optax and Keras.</value>
    public WeightDecayScaling WeightDecayScaling { get; set; } = WeightDecayScaling.LearningRate;

    /// <summary>How each parameter's step is computed: the fused managed kernel or libtorch tensor operations.</summary>
    /// <value>Default <see cref="StepImplementation.Auto"/>: the fused kernel for contiguous Float32/Float64
    /// CPU parameters, tensor operations for any other (CUDA, Float16, BFloat16, non-contiguous).</value>
    public StepImplementation StepImplementation { get; set; } = StepImplementation.Auto;

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the first option that is out of
    /// range, or <see cref="ArgumentException"/> for a contradictory combination.
    /// </summary>
    public virtual void Validate()
    {
        Check.Positive(LearningRate, nameof(LearningRate));
        Check.NonNegative(WeightDecay, nameof(WeightDecay));
        Check.Defined(WeightDecayMode, nameof(WeightDecayMode));
        Check.Defined(WeightDecayScaling, nameof(WeightDecayScaling));
        Check.Defined(StepImplementation, nameof(StepImplementation));
        if (WeightDecayMode == WeightDecayMode.None && WeightDecay != 0)
            throw new ArgumentException(
                $"{nameof(WeightDecay)} is {WeightDecay} but {nameof(WeightDecayMode)} is None, so it would be ignored. " +
                $"Choose a {nameof(WeightDecayMode)} (L2, Decoupled or Proximal) or set {nameof(WeightDecay)} to 0.",
                nameof(WeightDecay));
        DecayCoefficients.CheckInitialDecay(WeightDecayMode, WeightDecayScaling, LearningRate, WeightDecay, nameof(WeightDecay));
    }

    /// <summary>How many tensors of state, each shaped like its parameter, the optimizer keeps.</summary>
    internal abstract int StateBuffersPerParameter { get; }

    private protected void CopyTo(WeightDecayOptimizerOptions target)
    {
        target.LearningRate = LearningRate;
        target.WeightDecay = WeightDecay;
        target.WeightDecayMode = WeightDecayMode;
        target.WeightDecayScaling = WeightDecayScaling;
        target.StepImplementation = StepImplementation;
    }
}
