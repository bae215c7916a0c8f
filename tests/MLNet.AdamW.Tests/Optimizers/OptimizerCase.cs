using MLNet.AdamW.Optimizers;

namespace MLNet.AdamW.Tests.Optimizers;

public enum OptimizerKind
{
    Adam,
    Sgd,
}

/// <summary>One row of the optimizer test table: an algorithm, a decay mode and scaling, and its variant flags.</summary>
public sealed record OptimizerCase(
    OptimizerKind Kind,
    WeightDecayMode Mode,
    WeightDecayScaling Scaling,
    double LearningRate,
    double WeightDecay,
    bool AmsGrad = false,
    double Momentum = 0,
    double Dampening = 0,
    bool Nesterov = false,
    double Epsilon = 1e-8,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    StepImplementation Implementation = StepImplementation.Auto)
{
    public WeightDecayOptimizer Create(IEnumerable<ParameterGroup> groups) => Kind == OptimizerKind.Adam
        ? new AdamOptimizer(groups, new AdamOptimizerOptions
        {
            LearningRate = LearningRate, WeightDecay = WeightDecay, WeightDecayMode = Mode, WeightDecayScaling = Scaling,
            Beta1 = Beta1, Beta2 = Beta2, Epsilon = Epsilon, AmsGrad = AmsGrad, StepImplementation = Implementation,
        })
        : new SgdOptimizer(groups, new SgdOptimizerOptions
        {
            LearningRate = LearningRate, WeightDecay = WeightDecay, WeightDecayMode = Mode, WeightDecayScaling = Scaling,
            Momentum = Momentum, Dampening = Dampening, Nesterov = Nesterov, StepImplementation = Implementation,
        });

    public override string ToString()
    {
        var variant = Kind == OptimizerKind.Adam
            ? (AmsGrad ? " amsgrad" : "")
            : Momentum == 0 ? "" : $" μ={Momentum}{(Dampening != 0 ? $" τ={Dampening}" : "")}{(Nesterov ? " nesterov" : "")}";
        var implementation = Implementation == StepImplementation.Auto ? "" : $" [{Implementation}]";
        return $"{Kind} {Mode}/{Scaling} α={LearningRate} λ={WeightDecay}{variant}{implementation}";
    }

    /// <summary>
    /// Every mode × scaling × variant of both optimizers. Adam's rate suits the unit-free steps
    /// of Adam; SGD's keeps α·h &lt; 2(1 + μ) for curvatures up to 1e4.
    /// </summary>
    public static IEnumerable<OptimizerCase> All(double adamRate = 1e-2, double sgdRate = 1e-4, double weightDecay = 1e-2)
    {
        foreach (var mode in Enum.GetValues<WeightDecayMode>())
        {
            var lambda = mode == WeightDecayMode.None ? 0 : weightDecay;
            foreach (var scaling in Enum.GetValues<WeightDecayScaling>())
            {
                // The paper's convention takes λ unscaled by α, so a schedule-scaled λ is α times smaller
                // for the same per-step decay; keep both within the ranges people use.
                var adamLambda = scaling == WeightDecayScaling.Schedule ? lambda * adamRate : lambda;
                foreach (var ams in new[] { false, true })
                    yield return new OptimizerCase(OptimizerKind.Adam, mode, scaling, adamRate, adamLambda, AmsGrad: ams);
                var sgdLambda = scaling == WeightDecayScaling.Schedule ? lambda * 1e-2 : lambda;
                yield return new OptimizerCase(OptimizerKind.Sgd, mode, scaling, sgdRate, sgdLambda);
                yield return new OptimizerCase(OptimizerKind.Sgd, mode, scaling, sgdRate, sgdLambda, Momentum: 0.9);
                yield return new OptimizerCase(OptimizerKind.Sgd, mode, scaling, sgdRate, sgdLambda, Momentum: 0.9, Dampening: 0.1);
                yield return new OptimizerCase(OptimizerKind.Sgd, mode, scaling, sgdRate, sgdLambda, Momentum: 0.9, Nesterov: true);
            }
        }
    }
}
