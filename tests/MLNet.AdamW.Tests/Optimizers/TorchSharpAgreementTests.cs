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
        { "Adam(amsgrad)", new OptimizerCase(OptimizerKind.Adam, WeightDecayMode.None, WeightDecayScaling.LearningRate, 3e-3, 0, AmsGrad: true) },
        { "Adam(amsgrad, weight_decay)", new OptimizerCase(OptimizerKind.Adam, WeightDecayMode.L2, WeightDecayScaling.LearningRate, 3e-3, 0.05, AmsGrad: true) },
        { "AdamW(amsgrad)", new OptimizerCase(OptimizerKind.Adam, WeightDecayMode.Decoupled, WeightDecayScaling.LearningRate, 3e-3, 0.05, AmsGrad: true) },
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
        using var theirs = ours switch
        {
            { Kind: OptimizerKind.Sgd } => (torch.optim.Optimizer)torch.optim.SGD(b.Module.parameters(), ours.LearningRate,
                momentum: ours.Momentum, dampening: ours.Dampening, weight_decay: ours.WeightDecay, nesterov: ours.Nesterov),
            { Mode: WeightDecayMode.Decoupled } => torch.optim.AdamW(b.Module.parameters(), ours.LearningRate, weight_decay: ours.WeightDecay, amsgrad: ours.AmsGrad),
            _ => torch.optim.Adam(b.Module.parameters(), ours.LearningRate, weight_decay: ours.WeightDecay, amsgrad: ours.AmsGrad),
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

    /// <summary>Tensors above the parallel threshold are split into chunks across threads; the
    /// result must not depend on it (the small tests above run on the calling thread).</summary>
    [Theory]
    [InlineData(WeightDecayMode.Decoupled)]
    [InlineData(WeightDecayMode.L2)]
    public void Large_tensors_updated_in_parallel_chunks_agree_with_TorchSharp(WeightDecayMode mode)
    {
        torch.manual_seed(5);
        // 700,001 values: many chunks, and a length that is not a multiple of any vector width.
        using var initial = torch.randn(700_001);
        using var gradientScale = torch.logspace(-4, 4, 700_001);
        var mine = new TorchSharp.Modules.Parameter(initial.clone());
        var theirs = new TorchSharp.Modules.Parameter(initial.clone());
        using var ours = new AdamOptimizer([mine], new AdamOptimizerOptions { LearningRate = 1e-2, WeightDecay = 0.1, WeightDecayMode = mode });
        using var builtin = mode == WeightDecayMode.L2
            ? (torch.optim.Optimizer)torch.optim.Adam([theirs], 1e-2, weight_decay: 0.1)
            : torch.optim.AdamW([theirs], 1e-2, weight_decay: 0.1);
        for (var t = 0; t < 10; t++)
        {
            using var g = torch.randn(700_001) * gradientScale;
            mine.grad = g;
            theirs.grad = g;
            ours.step();
            builtin.step();
        }
        using var difference = (mine - theirs).abs() / (theirs.abs() + 1e-2);
        Assert.True(difference.max().item<float>() < 2e-5, $"max error {difference.max().item<float>():E3}");
        using var moved = (mine - initial).abs().min();
        Assert.True(moved.item<float>() > 0, "every element, including the last chunk's tail, must be updated");
    }
}
