using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Benchmarks;

/// <summary>
/// Scoring 10,000 MNIST digits with a trained 784-128-10 network: ML.NET's Transform over an
/// IDataView (our managed per-row forward pass), one PredictionEngine.Predict, and for comparison
/// one batched libtorch forward over the same 10,000 rows already in a tensor.
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
public class ScoringBenchmarks
{
    public const int Rows = 10_000;
    private MulticlassPredictionTransformer<AdamWMulticlassModelParameters> _model = null!;
    private IDataView _data = null!;
    private PredictionEngine<Digit, DigitPrediction> _engine = null!;
    private Digit _digit = null!;
    private nn.Module<Tensor, Tensor> _network = null!;
    private Tensor _inputs = null!;

    public sealed class DigitPrediction
    {
        public float[] Score { get; set; } = [];
    }

    [GlobalSetup]
    public void Setup()
    {
        var digits = Datasets.Digits();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(digits);
        var prepared = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.CopyColumns("Features", nameof(Digit.Pixels)))
            .Fit(data).Transform(data);
        _data = ml.Data.Cache(prepared);
        _model = ml.MulticlassClassification.Trainers.AdamW(new AdamWMulticlassTrainer.Options { Network = new MlpNetworkOptions { HiddenLayers = [128] }, NumberOfEpochs = 1, Seed = 1 })
            .Fit(_data);
        _engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(
            ml.Transforms.CopyColumns("Features", nameof(Digit.Pixels)).Fit(data).Append(_model));
        _digit = digits[0];

        torch.manual_seed(1);
        _network = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10));
        _network.eval();
        _inputs = torch.tensor(digits.SelectMany(d => d.Pixels).ToArray(), [digits.Count, 784]);
        _ = ScoreAll();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _network.Dispose();
        _inputs.Dispose();
    }

    [Benchmark(Description = "Transform + read Score, 10k rows (managed forward)")]
    public float ScoreAll()
    {
        var scored = _model.Transform(_data);
        var column = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> value = default;
        var sum = 0f;
        while (cursor.MoveNext())
        {
            getter(ref value);
            sum += value.GetItemOrDefault(0);
        }
        return sum;
    }

    [Benchmark(Description = "libtorch batched forward, 10k rows in a tensor")]
    public float TorchBatched()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return nn.functional.softmax(_network.forward(_inputs), 1).sum().item<float>();
    }

    [Benchmark(Description = "PredictionEngine.Predict, 1 row")]
    public float PredictOne() => _engine.Predict(_digit).Score[0];
}
