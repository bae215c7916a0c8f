using BenchmarkDotNet.Attributes;
using MLNet.AdamW.Optimizers;
using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.AdamW.Benchmarks;

/// <summary>
/// One optimizer step on identical tensors: TorchSharp's built-in AdamW (the baseline) against our
/// fused AdamW and AdamProx, and our AdamW forced onto its tensor-operation path (what CUDA, half
/// precision and non-contiguous parameters use). Same α = 1e-3, λ = 1e-2, learning-rate scaling.
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
public class OptimizerStepBenchmarks
{
    private Parameter[] _theirParameters = [];
    private Parameter[] _ourParameters = [];
    private Parameter[] _proxParameters = [];
    private Parameter[] _tensorOpsParameters = [];
    private torch.optim.Optimizer? _torchSharpAdamW;
    private AdamOptimizer? _adamW;
    private AdamOptimizer? _adamProx;
    private AdamOptimizer? _adamWTensorOps;

    [Params(ParameterSets.Single16M, ParameterSets.ResNet20, ParameterSets.Mlp)]
    public string Set { get; set; } = ParameterSets.Single16M;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Environment.ProcessorCount);
        _theirParameters = ParameterSets.Create(Set, seed: 1);
        _ourParameters = ParameterSets.Create(Set, seed: 1);
        _proxParameters = ParameterSets.Create(Set, seed: 1);
        _tensorOpsParameters = ParameterSets.Create(Set, seed: 1);
        _torchSharpAdamW = torch.optim.AdamW(_theirParameters, lr: 1e-3, weight_decay: 1e-2);
        _adamW = new AdamOptimizer(_ourParameters, new AdamOptimizerOptions
        {
            LearningRate = 1e-3, WeightDecay = 1e-2, WeightDecayMode = WeightDecayMode.Decoupled,
        });
        _adamProx = new AdamOptimizer(_proxParameters, new AdamOptimizerOptions
        {
            LearningRate = 1e-3, WeightDecay = 1e-2, WeightDecayMode = WeightDecayMode.Proximal,
        });
        _adamWTensorOps = new AdamOptimizer(_tensorOpsParameters, new AdamOptimizerOptions
        {
            LearningRate = 1e-3, WeightDecay = 1e-2, WeightDecayMode = WeightDecayMode.Decoupled,
            StepImplementation = StepImplementation.TensorOperations,
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _torchSharpAdamW?.Dispose();
        _adamW?.Dispose();
        _adamProx?.Dispose();
        _adamWTensorOps?.Dispose();
        foreach (var p in _theirParameters.Concat(_ourParameters).Concat(_proxParameters).Concat(_tensorOpsParameters))
            p.Dispose();
    }

    [Benchmark(Baseline = true, Description = "TorchSharp AdamW")]
    public void TorchSharpAdamW() => _torchSharpAdamW!.step();

    [Benchmark(Description = "MLNet.AdamW AdamW")]
    public void AdamW() => _adamW!.step();

    [Benchmark(Description = "MLNet.AdamW AdamProx")]
    public void AdamProx() => _adamProx!.step();

    [Benchmark(Description = "MLNet.AdamW AdamW, tensor ops")]
    public void AdamWTensorOperations() => _adamWTensorOps!.step();
}
