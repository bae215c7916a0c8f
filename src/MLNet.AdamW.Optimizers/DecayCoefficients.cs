using System.Globalization;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// The weight-decay mode turned into data: every optimizer applies
/// g ← g + <see cref="GradientPenalty"/>·x before its direction p is formed, and then
/// x ← (<see cref="Shrink"/>·x − lr·p)·<see cref="ProximalScale"/>.
/// </summary>
/// <remarks>
/// None: (0, 1, 1). L2: (λ, 1, 1). Decoupled: (0, 1 − d, 1). Proximal: (0, 1, 1/(1 + d)).
/// d = lr·λ with <see cref="WeightDecayScaling.LearningRate"/> and d = (lr / lr₀)·λ with
/// <see cref="WeightDecayScaling.Schedule"/>, lr being the group's current learning rate and lr₀ its
/// initial one. Both step implementations (the fused kernels and the tensor operations) take
/// these three numbers and nothing else from the mode.
/// </remarks>
internal readonly record struct DecayCoefficients(double GradientPenalty, double Shrink, double ProximalScale)
{
    public static DecayCoefficients For(
        WeightDecayMode mode, WeightDecayScaling scaling, double learningRate, double initialLearningRate, double weightDecay)
    {
        var d = PerStepDecay(scaling, learningRate, initialLearningRate, weightDecay);
        return mode switch
        {
            WeightDecayMode.None => new(0, 1, 1),
            WeightDecayMode.L2 => new(weightDecay, 1, 1),
            WeightDecayMode.Decoupled => new(0, 1 - d, 1),
            WeightDecayMode.Proximal => new(0, 1, 1 / (1 + d)),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown weight decay mode."),
        };
    }

    /// <summary>
    /// The per-step decay d_t of the decoupled and proximal modes (the README's table of
    /// <see cref="WeightDecayScaling"/>): α·η_t·λ = lr·λ with learning-rate scaling, η_t·λ =
    /// (lr / lr₀)·λ with schedule scaling, lr being the current and lr₀ the initial learning rate.
    /// </summary>
    public static double PerStepDecay(WeightDecayScaling scaling, double learningRate, double initialLearningRate, double weightDecay) =>
        scaling == WeightDecayScaling.LearningRate
            ? learningRate * weightDecay
            : learningRate / initialLearningRate * weightDecay;

    /// <summary>"d = α·η_t·λ = 0.5 × 3 = 1.5" or "d = η_t·λ = (0.5 / 0.1) × 0.3 = 1.5", for messages.</summary>
    public static string DescribePerStepDecay(WeightDecayScaling scaling, double learningRate, double initialLearningRate, double weightDecay)
    {
        var d = PerStepDecay(scaling, learningRate, initialLearningRate, weightDecay);
        return scaling == WeightDecayScaling.LearningRate
            ? string.Create(CultureInfo.InvariantCulture,
                $"with WeightDecayScaling.LearningRate, d = α·η_t·λ = {learningRate} × {weightDecay} = {d}")
            : string.Create(CultureInfo.InvariantCulture,
                $"with WeightDecayScaling.Schedule, d = η_t·λ = ({learningRate} / {initialLearningRate}) × {weightDecay} = {d}");
    }

    /// <summary>
    /// A decoupled step with d ≥ 1 would flip the sign of every parameter; catch that at
    /// construction, from the initial learning rate, instead of after a ruined run. Every step
    /// checks it again (<see cref="WeightDecayOptimizer"/>), since schedulers and callers may
    /// raise the learning rate or a group's weight decay later.
    /// </summary>
    public static void CheckInitialDecay(
        WeightDecayMode mode, WeightDecayScaling scaling, double learningRate, double weightDecay, string weightDecayName)
    {
        if (mode != WeightDecayMode.Decoupled)
            return;
        var d = PerStepDecay(scaling, learningRate, learningRate, weightDecay);
        if (d >= 1)
        {
            throw new ArgumentOutOfRangeException(weightDecayName, weightDecay,
                $"Decoupled decay shrinks parameters by 1 − d per step, and here, {DescribePerStepDecay(scaling, learningRate, learningRate, weightDecay)} ≥ 1. " +
                "Use a smaller weight decay, or the Proximal mode, which is defined for any d.");
        }
    }
}
