using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Model;
using TorchSharp;

namespace MLNet.AdamW.Tests.Trainers;

public sealed class BridgeFeasibilityTests
{
    private sealed class Row
    {
        public bool Label { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void Built_in_binary_transformer_scores_saves_and_loads_our_model()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 40).Select(i => new Row { Label = i % 2 == 0, Features = [i % 2 == 0 ? 1f : -1f, i * 0.1f, 1] }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        torch.manual_seed(1);
        var net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1));
        var content = new ModelContent
        {
            Task = 0, ClassCount = 2, Layers = NetworkExport.ToDenseLayers(net), HiddenLayers = [4], ActivationCode = 0, BatchNorm = false,
            Dropout = 0, NetworkState = [], NetworkDescription = "MLP 3-4-1", OptimizerDescription = "none", History = new MLNet.AdamW.Training.TrainingHistory([], null, 0, false),
        };
        var model = new AdamWBinaryModelParameters(ml, content);
        var transformer = PredictionTransformers.Binary(ml, model, data.Schema, "Features", "Label");
        var scored = transformer.Transform(data);
        Assert.NotNull(scored.Schema.GetColumnOrNull("Probability"));
        var metrics = ml.BinaryClassification.Evaluate(scored);
        Assert.InRange(metrics.AreaUnderRocCurve, 0, 1);

        var path = Path.Combine(Path.GetTempPath(), $"bridge-{Guid.NewGuid():N}.zip");
        ml.Model.Save(transformer, data.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        var typed = Assert.IsType<BinaryPredictionTransformer<AdamWBinaryModelParameters>>(loaded);
        var a = scored.GetColumn<float>("Score").ToArray();
        var b = typed.Transform(data).GetColumn<float>("Score").ToArray();
        Assert.Equal(a, b);
        File.Delete(path);
    }
}
