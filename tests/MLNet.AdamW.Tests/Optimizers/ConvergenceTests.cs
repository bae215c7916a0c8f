using MLNet.AdamW.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Optimizers;

/// <summary>Every optimizer of the table reaches the minimum of a quadratic and of Rosenbrock's valley.</summary>
public sealed class ConvergenceTests
{
    public static TheoryData<OptimizerCase> QuadraticCases() => Table(adamRate: 0.02, sgdRate: 0.05);

    public static TheoryData<OptimizerCase> RosenbrockCases()
    {
        var data = new TheoryData<OptimizerCase>();
        foreach (var c in OptimizerCase.All(adamRate: 0.02, sgdRate: 1e-3, weightDecay: 1e-4))
            data.Add(c.AmsGrad ? c with { LearningRate = 0.1, WeightDecay = c.WeightDecay * (c.Scaling == WeightDecayScaling.Schedule ? 5 : 1) } : c);
        return data;
    }

    [Theory]
    [MemberData(nameof(QuadraticCases))]
    public void Reaches_the_minimum_of_a_quadratic(OptimizerCase optimizerCase)
    {
        var problem = new Quadratic(8, lowCurvature: 0.1, highCurvature: 10);
        var x = Minimize(optimizerCase, problem.Start, problem.Gradient, steps: 3000);
        var distance = x.Zip(problem.Center, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(distance < 0.02, $"{optimizerCase}: ended {distance:E2} from the minimum");
    }

    [Theory]
    [MemberData(nameof(RosenbrockCases))]
    public void Reaches_the_minimum_of_Rosenbrock(OptimizerCase optimizerCase)
    {
        static double[] Gradient(double[] p)
        {
            var (x, y) = (p[0], p[1]);
            return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
        }

        // AMSGrad keeps the largest v̂, set by the steep walls at the start, so it creeps along the
        // valley; plain SGD is held to α < 2/1900 by the walls' curvature. Both get longer.
        var slow = optimizerCase.AmsGrad || optimizerCase is { Kind: OptimizerKind.Sgd, Momentum: 0 };
        var end = Minimize(optimizerCase, [-1.5, 2], Gradient, steps: slow ? 20000 : 6000);
        var distance = Math.Max(Math.Abs(end[0] - 1), Math.Abs(end[1] - 1));
        Assert.True(distance < 0.05, $"{optimizerCase}: ended at ({end[0]:F4}, {end[1]:F4})");
    }

    private static TheoryData<OptimizerCase> Table(double adamRate, double sgdRate)
    {
        var data = new TheoryData<OptimizerCase>();
        // A small λ: decay moves the minimizer, and these tests are about reaching it.
        foreach (var c in OptimizerCase.All(adamRate, sgdRate, weightDecay: 1e-4))
            data.Add(c);
        return data;
    }

    private static double[] Minimize(OptimizerCase optimizerCase, double[] start, Func<double[], double[]> gradient, int steps)
    {
        var parameter = TensorValues.Parameter(start, [start.Length], ScalarType.Float64);
        using var optimizer = optimizerCase.Create([new ParameterGroup([parameter])]);
        var schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps, eta_min: optimizerCase.LearningRate * 1e-2);
        for (var t = 0; t < steps; t++)
        {
            TensorValues.SetGradients([parameter], gradient(TensorValues.Of(parameter)));
            optimizer.step();
            schedule.step();
        }
        return TensorValues.Of(parameter);
    }
}
