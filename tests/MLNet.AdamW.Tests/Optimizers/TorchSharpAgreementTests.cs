using MLNet.AdamW.Optimizers;
using TorchSharp;

namespace MLNet.AdamW.Tests.Optimizers;

/// <summary>
/// Where a mode coincides with one of TorchSharp's built-in optimizers, training the same small
/// MLP from the same weights on the same batch follows the same trajectory.
/// </summary>
public sealed class TorchSharpAgreementTests
{
    private const int Steps = 60;

    public static TheoryData<string, OptimizerCase> Pairs() => new()
    {
        { "Adam(weight_decay)", new OptimizerCase(OptimizerKind.Adam, WeightDecayMode.L2, WeightDecayScaling.LearningRate, 3e-3, 0.05) },
        { "Adam", new OptimizerCase(OptimizerKind.Adam, WeightDecayMode.None, WeightDecayScaling.LearningRate, 3e-3, 0) },
        { "AdamW", new OptimizerCase(OptimizerKind.Adam, WeightDecayMode.Decoupled, WeightDecayScaling.LearningRate, 3e-3, 0.05) },
        { "SGD(momentum, weight_decay)", new OptimizerCase(OptimizerKind.Sgd, WeightDecayMode.L2, WeightDecayScaling.LearningRate, 0.05, 0.01, Momentum: 0.9) },
        { "SGD(nesterov, weight_decay)", new OptimizerCase(OptimizerKind.Sgd, WeightDecayMode.L2, WeightDecayScaling.LearningRate, 0.05, 0.01, Momentum: 0.9, Nesterov: true) },
        { "SGD(dampening)", new OptimizerCase(OptimizerKind.Sgd, WeightDecayMode.None, WeightDecayScaling.LearningRate, 0.05, 0, Momentum: 0.5, Dampening: 0.3) },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Follows_TorchSharps_builtin_optimizer(string builtin, OptimizerCase ours)
    {
        using var a = new TinyNetwork(seed: 7);
        using var b = new TinyNetwork(seed: 7);
        Assert.Equal(a.Weights(), b.Weights());

        using var mine = ours.Create(ParameterGroups.ForModule(a.Module, decayAllParameters: true));
        using var theirs = builtin switch
        {
            "Adam(weight_decay)" or "Adam" => (torch.optim.Optimizer)torch.optim.Adam(b.Module.parameters(), ours.LearningRate, weight_decay: ours.WeightDecay),
            "AdamW" => torch.optim.AdamW(b.Module.parameters(), ours.LearningRate, weight_decay: ours.WeightDecay),
            _ => torch.optim.SGD(b.Module.parameters(), ours.LearningRate, momentum: ours.Momentum, dampening: ours.Dampening,
                weight_decay: ours.WeightDecay, nesterov: ours.Nesterov),
        };

        for (var t = 1; t <= Steps; t++)
        {
            a.Backward();
            b.Backward();
            mine.step();
            theirs.step();
            var error = MaxScaledError(a.Weights(), b.Weights());
            Assert.True(error < 2e-5, $"{builtin}, step {t}: max error {error:E3}");
        }
    }

    /// <summary>|a − b| / (|b| + 1e-2): relative for weights of normal size, absolute near zero.</summary>
    private static double MaxScaledError(double[] actual, double[] expected) =>
        actual.Zip(expected, (x, y) => Math.Abs(x - y) / (Math.Abs(y) + 1e-2)).Max();
}
