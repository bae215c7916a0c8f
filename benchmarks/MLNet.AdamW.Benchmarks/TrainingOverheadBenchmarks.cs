using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Benchmarks;

/// <summary>
/// What the ML.NET pipeline costs over a hand-written TorchSharp loop: the same 8,000 MNIST digits,
/// network (784-128-10, ReLU), batch size (128), optimizer (AdamW, α = 1e-2, λ = 1e-2, biases spared,
/// cosine schedule), epochs and libtorch thread count. The trainer's time includes reading the
/// IDataView into memory and exporting the model, once per fit; the loop starts from tensors already in
/// memory. Two epoch counts separate that one-time cost from the time per epoch:
/// epoch time = (T(10) − T(2)) / 8.
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
public class TrainingOverheadBenchmarks
{
    [Params(2, 10)]
    public int Epochs { get; set; } = 2;

    private const int BatchSize = 128;
    private MLContext _ml = new(seed: 1);
    private IDataView _data = null!;
    private Tensor _inputs = null!;
    private Tensor _labels = null!;

    [GlobalSetup]
    public void Setup()
    {
        var digits = Datasets.Digits().Take(8000).ToList();
        _ml = new MLContext(seed: 1);
        var loaded = _ml.Data.LoadFromEnumerable(digits);
        var prepared = _ml.Transforms.Conversion.MapValueToKey("Label").Append(_ml.Transforms.CopyColumns("Features", nameof(Digit.Pixels)))
            .Fit(loaded).Transform(loaded);
        _data = _ml.Data.Cache(prepared);
        _ = _data.GetColumn<uint>("Label").Count();
        _inputs = torch.tensor(digits.SelectMany(d => d.Pixels).ToArray(), [digits.Count, 784]);
        _labels = torch.tensor(digits.Select(d => (long)d.Label).ToArray());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _inputs.Dispose();
        _labels.Dispose();
    }

    [Benchmark(Baseline = true, Description = "hand-written TorchSharp loop")]
    public double HandWritten()
    {
        torch.manual_seed(1);
        using var network = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10));
        using var optimizer = new AdamOptimizer(ParameterGroups.ForModule(network), new AdamOptimizerOptions { LearningRate = 1e-2, WeightDecay = 1e-2 });
        var rows = (int)_inputs.shape[0];
        var steps = Epochs * ((rows + BatchSize - 1) / BatchSize);
        var step = 0;
        var last = 0.0;
        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            using var order = torch.randperm(rows);
            for (var start = 0; start < rows; start += BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var index = order.narrow(0, start, Math.Min(BatchSize, rows - start));
                optimizer.Groups[0].LearningRate = optimizer.Groups[1].LearningRate = 1e-2 * 0.5 * (1 + Math.Cos(Math.PI * step++ / (steps - 1)));
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(network.forward(_inputs.index_select(0, index)), _labels.index_select(0, index));
                loss.backward();
                optimizer.step();
                last = loss.item<float>();
            }
        }
        return last;
    }

    [Benchmark(Description = "MLNet.AdamW trainer Fit")]
    public object TrainerFit() => _ml.MulticlassClassification.Trainers.AdamW(new AdamWMulticlassTrainer.Options
    {
        Network = new MlpNetworkOptions { HiddenLayers = [128] }, NumberOfEpochs = Epochs, BatchSize = BatchSize, Seed = 1,
        NumberOfThreads = null, // the hand-written loop runs with libtorch's setting too
    }).Fit(_data);
}
