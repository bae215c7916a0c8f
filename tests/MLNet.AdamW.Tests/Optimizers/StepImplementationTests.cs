using MLNet.AdamW.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Optimizers;

/// <summary>
/// The tensor-operation path applies the fused kernel's rule: forced on the CPU, it follows the
/// fused kernel for every mode × scaling × variant; it trains the parameters the fused kernel
/// cannot take (non-contiguous views, Float16, BFloat16); and its state saves and loads.
/// </summary>
public sealed class StepImplementationTests
{
    private const int Steps = 100;

    public static TheoryData<OptimizerCase, bool> Cases() => ReferenceAgreementTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tensor_operations_match_the_fused_kernel(OptimizerCase optimizerCase, bool doublePrecision)
    {
        var dtype = doublePrecision ? ScalarType.Float64 : ScalarType.Float32;
        var problem = new Quadratic(24);
        var x0 = TensorValues.RoundTo(dtype, problem.Start);
        var fusedParameters = Split(x0, dtype);
        var tensorParameters = Split(x0, dtype);
        using var fused = (optimizerCase with { Implementation = StepImplementation.FusedKernel }).Create([new ParameterGroup(fusedParameters)]);
        using var tensorOps = (optimizerCase with { Implementation = StepImplementation.TensorOperations }).Create([new ParameterGroup(tensorParameters)]);
        Assert.All(fusedParameters, p => Assert.True(fused.UsesFusedKernel(p)));
        Assert.All(tensorParameters, p => Assert.False(tensorOps.UsesFusedKernel(p)));

        for (var t = 1; t <= Steps; t++)
        {
            var lr = optimizerCase.LearningRate * ReferenceAgreementTests.Schedule(t);
            fused.Groups[0].LearningRate = lr;
            tensorOps.Groups[0].LearningRate = lr;
            // The same gradient for both (of the fused iterate): this compares the two implementations
            // of one step, not two trajectories of a map that amplifies rounding.
            var g = TensorValues.RoundTo(dtype, problem.Gradient(TensorValues.Of(fusedParameters)));
            TensorValues.SetGradients(fusedParameters, g);
            TensorValues.SetGradients(tensorParameters, g);
            fused.step();
            tensorOps.step();
        }

        var error = TensorValues.MaxRelativeError(TensorValues.Of(tensorParameters), TensorValues.Of(fusedParameters));
        Assert.True(error <= 1e-6, $"{optimizerCase} {dtype}: after {Steps} steps, max relative difference {error:E3}");
        var moved = TensorValues.MaxRelativeError(TensorValues.Of(fusedParameters), x0);
        Assert.True(moved > 1e-3, $"the parameters should have moved (by {moved:E2})");
    }

    [Theory]
    [InlineData(OptimizerKind.Adam, false)]
    [InlineData(OptimizerKind.Adam, true)]
    [InlineData(OptimizerKind.Sgd, false)]
    public void A_non_contiguous_parameter_trains_through_tensor_operations(OptimizerKind kind, bool amsGrad)
    {
        var optimizerCase = Case(kind, amsGrad);
        var problem = new Quadratic(12, lowCurvature: 0.1, highCurvature: 10);
        using var storage = torch.tensor(problem.Start, dtype: ScalarType.Float32).reshape(3, 4);
        // The transposed view: element [j, i] of the parameter is problem coordinate 4·i + j.
        var transposed = new Parameter(storage.t());
        Assert.False(transposed.is_contiguous());
        var contiguous = TensorValues.Parameter(TensorValues.Of(transposed), [4, 3], ScalarType.Float32);
        using var viewOptimizer = optimizerCase.Create([new ParameterGroup([transposed])]);
        using var reference = optimizerCase.Create([new ParameterGroup([contiguous])]);
        Assert.False(viewOptimizer.UsesFusedKernel(transposed));
        Assert.True(reference.UsesFusedKernel(contiguous));

        var order = Enumerable.Range(0, 12).Select(k => 4 * (k % 3) + k / 3).ToArray();
        var start = TensorValues.Of(transposed);
        for (var t = 0; t < Steps; t++)
        {
            var x = TensorValues.Of(transposed);
            var inProblemOrder = new double[12];
            for (var k = 0; k < 12; k++)
                inProblemOrder[order[k]] = x[k];
            var g = problem.Gradient(inProblemOrder);
            var gradient = order.Select(i => g[i]).ToArray();
            TensorValues.SetGradients([transposed], gradient);
            TensorValues.SetGradients([contiguous], gradient);
            viewOptimizer.step();
            reference.step();
        }

        Assert.False(transposed.is_contiguous());
        var error = TensorValues.MaxRelativeError(TensorValues.Of(transposed), TensorValues.Of(contiguous));
        Assert.True(error <= 1e-6, $"the view differs from the contiguous copy by {error:E3}");
        Assert.True(TensorValues.MaxRelativeError(TensorValues.Of(transposed), start) > 1e-3, "the view should have been updated");
    }

    public static TheoryData<ScalarType, OptimizerKind, bool> HalfPrecisionCases() => new()
    {
        { ScalarType.Float16, OptimizerKind.Adam, false },
        { ScalarType.Float16, OptimizerKind.Adam, true },
        { ScalarType.Float16, OptimizerKind.Sgd, false },
        { ScalarType.BFloat16, OptimizerKind.Adam, false },
        { ScalarType.BFloat16, OptimizerKind.Adam, true },
        { ScalarType.BFloat16, OptimizerKind.Sgd, false },
    };

    /// <summary>
    /// Float16 and BFloat16 parameters keep Float32 state and follow a Float32 run up to their own
    /// rounding, which every step repeats: Float16 keeps 11 significant bits (a unit in the last place
    /// of 2^-9 ≈ 0.002 for x in [2, 4)), BFloat16 8 (2^-6 ≈ 0.016, so a step of α = 0.02 is about one
    /// unit and is rounded by up to half of itself; over 100 steps that drifts by several units).
    /// </summary>
    [Theory]
    [MemberData(nameof(HalfPrecisionCases))]
    public void Half_precision_parameters_train_close_to_a_float32_run(ScalarType dtype, OptimizerKind kind, bool amsGrad)
    {
        var optimizerCase = Case(kind, amsGrad);
        var problem = new Quadratic(16, lowCurvature: 0.1, highCurvature: 10);
        var half = TensorValues.Parameter(problem.Start, [4, 4], dtype);
        var single = TensorValues.Parameter(TensorValues.Of(half), [4, 4], ScalarType.Float32);
        using var halfOptimizer = optimizerCase.Create([new ParameterGroup([half])]);
        using var singleOptimizer = optimizerCase.Create([new ParameterGroup([single])]);
        Assert.False(halfOptimizer.UsesFusedKernel(half));

        for (var t = 0; t < Steps; t++)
        {
            TensorValues.SetGradients([half], problem.Gradient(TensorValues.Of(half)));
            TensorValues.SetGradients([single], problem.Gradient(TensorValues.Of(single)));
            halfOptimizer.step();
            singleOptimizer.step();
        }

        Assert.Equal(dtype, half.dtype);
        var x = TensorValues.Of(half);
        var reference = TensorValues.Of(single);
        var tolerance = dtype == ScalarType.Float16 ? 0.01 : 0.15;
        var error = x.Zip(reference, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(error <= tolerance, $"{dtype}: max |x − x_float32| = {error:E3} > {tolerance}");
        Assert.True(problem.Value(x) < 0.5 * problem.Value(problem.Start), $"{dtype}: the loss should have fallen (from {problem.Value(problem.Start):F3} to {problem.Value(x):F3})");
    }

    /// <summary>Both paths keep the same buffers: state saved by one continues in the other.</summary>
    [Theory]
    [InlineData(StepImplementation.TensorOperations, StepImplementation.TensorOperations)]
    [InlineData(StepImplementation.FusedKernel, StepImplementation.TensorOperations)]
    [InlineData(StepImplementation.TensorOperations, StepImplementation.FusedKernel)]
    public void State_saved_by_one_path_continues_in_either(StepImplementation saver, StepImplementation loader)
    {
        var optimizerCase = new OptimizerCase(OptimizerKind.Adam, WeightDecayMode.Decoupled, WeightDecayScaling.LearningRate, 3e-3, 0.05, AmsGrad: true);
        using var uninterrupted = new TinyNetwork(seed: 12);
        using var first = new TinyNetwork(seed: 12);
        using var straight = (optimizerCase with { Implementation = saver }).Create(ParameterGroups.ForModule(uninterrupted.Module));
        using var before = (optimizerCase with { Implementation = saver }).Create(ParameterGroups.ForModule(first.Module));
        for (var t = 0; t < 20; t++)
        {
            uninterrupted.Backward();
            straight.step();
            first.Backward();
            before.step();
        }
        using var state = new MemoryStream();
        before.SaveState(state);

        using var resumed = new TinyNetwork(seed: 12);
        byte[] weights;
        using (var stream = new MemoryStream())
        {
            first.Module.save(stream);
            weights = stream.ToArray();
        }
        resumed.Module.load(new MemoryStream(weights));
        using var after = (optimizerCase with { Implementation = loader }).Create(ParameterGroups.ForModule(resumed.Module));
        state.Position = 0;
        after.LoadState(state);
        for (var t = 0; t < 20; t++)
        {
            uninterrupted.Backward();
            straight.step();
            resumed.Backward();
            after.step();
        }

        var error = TensorValues.MaxRelativeError(resumed.Weights(), uninterrupted.Weights());
        if (saver == loader)
            Assert.Equal(uninterrupted.Weights(), resumed.Weights());
        else
            Assert.True(error <= 1e-5, $"{saver} → {loader}: max relative difference {error:E3}");
    }

    [Fact]
    public void Fused_kernel_only_refuses_what_it_cannot_update_and_says_what_to_use()
    {
        var options = new AdamOptimizerOptions { StepImplementation = StepImplementation.FusedKernel };
        var half = new Parameter(torch.ones(3, dtype: ScalarType.Float16));
        var e = Assert.Throws<ArgumentException>(() => new AdamOptimizer([half], options));
        Assert.Contains("Float16", e.Message, StringComparison.Ordinal);
        Assert.Contains("StepImplementation.Auto", e.Message, StringComparison.Ordinal);
        Assert.Contains("parameter group 0 (unnamed)", e.Message, StringComparison.Ordinal);

        var view = new Parameter(torch.ones(2, 3).t());
        var notContiguous = Assert.Throws<ArgumentException>(() => new AdamOptimizer([new ParameterGroup([view]) { Name = "head" }], options));
        Assert.Contains("not contiguous", notContiguous.Message, StringComparison.Ordinal);
        Assert.Contains("parameter group 0 ('head')", notContiguous.Message, StringComparison.Ordinal);

        // Auto takes both, through tensor operations.
        using var auto = new AdamOptimizer([new ParameterGroup([half]), new ParameterGroup([view])]);
        Assert.False(auto.UsesFusedKernel(half));
        Assert.False(auto.UsesFusedKernel(view));
    }

    private static OptimizerCase Case(OptimizerKind kind, bool amsGrad) => kind == OptimizerKind.Adam
        ? new OptimizerCase(OptimizerKind.Adam, WeightDecayMode.Decoupled, WeightDecayScaling.LearningRate, 2e-2, 0.05, AmsGrad: amsGrad)
        : new OptimizerCase(OptimizerKind.Sgd, WeightDecayMode.Proximal, WeightDecayScaling.LearningRate, 2e-2, 0.05, Momentum: 0.9, Nesterov: true);

    private static Parameter[] Split(double[] x0, ScalarType dtype) =>
    [
        TensorValues.Parameter(x0[..16], [4, 4], dtype),
        TensorValues.Parameter(x0[16..], [8], dtype),
    ];
}
