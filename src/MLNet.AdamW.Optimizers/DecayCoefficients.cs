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
/// initial one.
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

    /// <summary>d_t of DESIGN §2: α·η_t·λ or η_t·λ, with η_t = lr / lr₀.</summary>
    public static double PerStepDecay(WeightDecayScaling scaling, double learningRate, double initialLearningRate, double weightDecay) =>
        scaling == WeightDecayScaling.LearningRate
            ? learningRate * weightDecay
            : learningRate / initialLearningRate * weightDecay;

    /// <summary>
    /// A decoupled step with d ≥ 1 would flip the sign of every parameter; catch that at
    /// construction, from the initial learning rate, instead of after a ruined run.
    /// </summary>
    public static void CheckInitialDecay(
        WeightDecayMode mode, WeightDecayScaling scaling, double learningRate, double weightDecay, string weightDecayName)
    {
        if (mode != WeightDecayMode.Decoupled)
            return;
        var d = PerStepDecay(scaling, learningRate, learningRate, weightDecay);
        if (d >= 1)
        {
            var product = scaling == WeightDecayScaling.LearningRate ? "learning rate × weight decay" : "weight decay";
            throw new ArgumentOutOfRangeException(weightDecayName, weightDecay, string.Create(CultureInfo.InvariantCulture,
                $"Decoupled decay shrinks parameters by 1 − d per step, and here d = {product} = {d} ≥ 1. Use a smaller weight decay, or the Proximal mode, which is defined for any d."));
        }
    }
}
