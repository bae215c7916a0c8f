using MLNet.AdamW.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Optimizers;

/// <summary>
/// The property the paper builds on: with ε = 0, Adam, AdamW and AdamProx are invariant to
/// multiplying the loss by c, or each tensor's gradient by its own constant; Adam-ℓ2 with λ &gt; 0
/// is not, because λ·x is added before the normalisation.
/// </summary>
public sealed class ScaleFreenessTests
{
    private const int Steps = 30;

    public static TheoryData<WeightDecayMode, WeightDecayScaling, double> ScaleFreeModes()
    {
        var data = new TheoryData<WeightDecayMode, WeightDecayScaling, double>();
        foreach (var c in new[] { 10.0, 100.0, 1000.0 })
        {
            data.Add(WeightDecayMode.Decoupled, WeightDecayScaling.LearningRate, c);
            data.Add(WeightDecayMode.Decoupled, WeightDecayScaling.Schedule, c);
            data.Add(WeightDecayMode.Proximal, WeightDecayScaling.LearningRate, c);
            data.Add(WeightDecayMode.Proximal, WeightDecayScaling.Schedule, c);
            data.Add(WeightDecayMode.None, WeightDecayScaling.LearningRate, c);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ScaleFreeModes))]
    public void Multiplying_the_loss_leaves_the_iterates_unchanged(WeightDecayMode mode, WeightDecayScaling scaling, double c)
    {
        var difference = RelativeDifference(mode, scaling, (net, _) => net.Backward(lossMultiplier: c));
        Assert.True(difference <= 1e-5, $"{mode}: loss × {c} moved the iterates by {difference:E3}");
    }

    [Theory]
    [InlineData(WeightDecayMode.Decoupled)]
    [InlineData(WeightDecayMode.Proximal)]
    [InlineData(WeightDecayMode.None)]
    public void Scaling_each_tensors_gradient_leaves_the_iterates_unchanged(WeightDecayMode mode)
    {
        var difference = RelativeDifference(mode, WeightDecayScaling.LearningRate, ScaleEachTensor);
        Assert.True(difference <= 1e-5, $"{mode}: per-tensor gradient scales moved the iterates by {difference:E3}");
    }

    [Theory]
    [InlineData(10.0)]
    [InlineData(100.0)]
    [InlineData(1000.0)]
    public void Adam_L2_is_not_scale_free(double c)
    {
        var difference = RelativeDifference(WeightDecayMode.L2, WeightDecayScaling.LearningRate, (net, _) => net.Backward(lossMultiplier: c));
        Assert.True(difference > 1e-3, $"Adam-ℓ2: loss × {c} moved the iterates by only {difference:E3}");
        var perTensor = RelativeDifference(WeightDecayMode.L2, WeightDecayScaling.LearningRate, ScaleEachTensor);
        Assert.True(perTensor > 1e-3, $"Adam-ℓ2: per-tensor gradient scales moved the iterates by only {perTensor:E3}");
    }

    /// <summary>Gradients of tensor k multiplied by 10^(k mod 5 − 2): from 1e-2 to 1e2.</summary>
    private static void ScaleEachTensor(TinyNetwork network, int _)
    {
        network.Backward();
        var k = 0;
        foreach (var p in network.Module.parameters())
        {
            using var g = p.grad!;
            g.mul_(Math.Pow(10, k++ % 5 - 2));
        }
    }

    /// <summary>Trains two copies from the same weights, one plainly and one with scaled gradients, and
    /// returns max |x − x'| / max |x| over all steps.</summary>
    private static double RelativeDifference(WeightDecayMode mode, WeightDecayScaling scaling, Action<TinyNetwork, int> scaledBackward)
    {
        using var plain = new TinyNetwork(seed: 3, ScalarType.Float64);
        using var scaled = new TinyNetwork(seed: 3, ScalarType.Float64);
        var lambda = mode == WeightDecayMode.None ? 0 : scaling == WeightDecayScaling.Schedule ? 1e-2 : 0.5;
        var options = new AdamOptimizerOptions
        {
            LearningRate = 1e-2, Epsilon = 0, WeightDecay = lambda, WeightDecayMode = mode, WeightDecayScaling = scaling,
        };
        using var a = new AdamOptimizer(ParameterGroups.ForModule(plain.Module, decayAllParameters: true), options);
        using var b = new AdamOptimizer(ParameterGroups.ForModule(scaled.Module, decayAllParameters: true), options);

        var worst = 0.0;
        for (var t = 1; t <= Steps; t++)
        {
            plain.Backward();
            scaledBackward(scaled, t);
            a.step();
            b.step();
            var x = plain.Weights();
            var y = scaled.Weights();
            var scale = x.Max(Math.Abs);
            worst = Math.Max(worst, x.Zip(y, (u, v) => Math.Abs(u - v)).Max() / scale);
        }
        return worst;
    }
}
