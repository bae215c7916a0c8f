using MLNet.AdamW.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Optimizers;

/// <summary>
/// Every mode × scaling × variant of Adam and SGD agrees, step by step, with the scalar
/// double-precision reference on a quadratic whose curvatures span 1e-4 … 1e4, under a
/// learning-rate schedule so that η_t ≠ 1.
/// </summary>
public sealed class ReferenceAgreementTests
{
    private const int Steps = 150;

    public static TheoryData<OptimizerCase, bool> Cases()
    {
        var data = new TheoryData<OptimizerCase, bool>();
        foreach (var c in OptimizerCase.All())
            foreach (var doublePrecision in new[] { false, true })
                data.Add(c, doublePrecision);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_double_precision_reference_at_every_step(OptimizerCase optimizerCase, bool doublePrecision)
    {
        var dtype = doublePrecision ? ScalarType.Float64 : ScalarType.Float32;
        var tolerance = doublePrecision ? 1e-10 : 1e-5;
        var problem = new Quadratic(24);
        var x0 = TensorValues.RoundTo(dtype, problem.Start);
        Parameter[] parameters =
        [
            TensorValues.Parameter(x0[..16], [4, 4], dtype),
            TensorValues.Parameter(x0[16..], [8], dtype),
        ];
        using var optimizer = optimizerCase.Create([new ParameterGroup(parameters)]);
        var reference = new ReferenceOptimizer(optimizerCase, x0);

        for (var t = 1; t <= Steps; t++)
        {
            var lr = optimizerCase.LearningRate * Schedule(t);
            optimizer.Groups[0].LearningRate = lr;
            // Both see the same gradient (of our iterate, rounded to the dtype): this compares
            // the update rules, not two trajectories of a chaotic map.
            var g = TensorValues.RoundTo(dtype, problem.Gradient(TensorValues.Of(parameters)));
            TensorValues.SetGradients(parameters, g);
            optimizer.step();
            reference.Step(g, lr);

            var error = TensorValues.MaxRelativeError(TensorValues.Of(parameters), reference.X);
            Assert.True(error <= tolerance, $"step {t}: max relative error {error:E3} > {tolerance:E0}");
        }
    }

    /// <summary>A warm-up then cosine multiplier η_t, as trainers use.</summary>
    internal static double Schedule(int t) => t <= 10 ? t / 10.0 : 0.55 + 0.45 * Math.Cos(Math.PI * (t - 10) / Steps);
}

/// <summary>f(x) = ½ Σ h_i (x_i − c_i)² with h_i log-spaced from 1e-4 to 1e4.</summary>
internal sealed class Quadratic
{
    public Quadratic(int n, double lowCurvature = 1e-4, double highCurvature = 1e4)
    {
        Curvature = new double[n];
        Center = new double[n];
        Start = new double[n];
        for (var i = 0; i < n; i++)
        {
            Curvature[i] = lowCurvature * Math.Pow(highCurvature / lowCurvature, i / (double)(n - 1));
            Center[i] = 1.5 + 0.05 * i;
            Start[i] = 3 - 0.02 * i;
        }
    }

    public double[] Curvature { get; }

    public double[] Center { get; }

    public double[] Start { get; }

    public double[] Gradient(double[] x) => x.Select((xi, i) => Curvature[i] * (xi - Center[i])).ToArray();

    public double Value(double[] x) => x.Select((xi, i) => 0.5 * Curvature[i] * (xi - Center[i]) * (xi - Center[i])).Sum();
}
