using MLNet.AdamW.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Optimizers;

public sealed class ProximalClosedFormTests
{
    /// <summary>With a zero gradient the Adam direction is 0, so AdamProx only divides:
    /// x_t = x_0 / Π_k (1 + d_k), with d_k following the schedule and the scaling.</summary>
    [Theory]
    [InlineData(OptimizerKind.Adam, WeightDecayScaling.LearningRate)]
    [InlineData(OptimizerKind.Adam, WeightDecayScaling.Schedule)]
    [InlineData(OptimizerKind.Sgd, WeightDecayScaling.LearningRate)]
    [InlineData(OptimizerKind.Sgd, WeightDecayScaling.Schedule)]
    public void Zero_gradient_divides_by_the_product_of_one_plus_decay(OptimizerKind kind, WeightDecayScaling scaling)
    {
        const double lr = 0.1;
        var lambda = scaling == WeightDecayScaling.LearningRate ? 5 : 0.5;
        double[] x0 = [3, -2, 0.25, 1e-3, -7, 11, 0.5, -0.125, 4];
        var parameter = TensorValues.Parameter(x0, [3, 3], ScalarType.Float64);
        using var optimizer = new OptimizerCase(kind, WeightDecayMode.Proximal, scaling, lr, lambda, Momentum: kind == OptimizerKind.Sgd ? 0.9 : 0)
            .Create([new ParameterGroup([parameter])]);

        var product = 1.0;
        for (var t = 1; t <= 40; t++)
        {
            var eta = ReferenceAgreementTests.Schedule(t);
            optimizer.Groups[0].LearningRate = lr * eta;
            var d = scaling == WeightDecayScaling.LearningRate ? lr * eta * lambda : eta * lambda;
            product *= 1 + d;
            TensorValues.SetGradients([parameter], new double[x0.Length]);
            optimizer.step();

            var expected = x0.Select(v => v / product).ToArray();
            Assert.True(TensorValues.MaxRelativeError(TensorValues.Of(parameter), expected) < 1e-13, $"step {t}");
        }
        Assert.True(product > 1e3, "the test should decay by orders of magnitude");
    }
}
