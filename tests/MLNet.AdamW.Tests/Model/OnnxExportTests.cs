using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Model;
using MLNet.AdamW.Tests.Trainers;

namespace MLNet.AdamW.Tests.Model;

/// <summary>
/// <c>ml.Model.ConvertToOnnx</c> exports whole pipelines ending in our trainers, and ONNX Runtime
/// running the file gives every output column of ML.NET's <c>Transform</c>: scores and probabilities
/// to 1e-5 (relative above 1), predicted labels equal.
/// </summary>
public sealed class OnnxExportTests
{
    public static TheoryData<ExportCase> Cases() => new()
    {
        new(ExportTask.Binary, Activation.ReLU, false, [16]),
        new(ExportTask.Binary, Activation.GELU, true, [16, 8]),
        new(ExportTask.Binary, Activation.LeakyReLU, false, [16]),
        new(ExportTask.Binary, Activation.ReLU, false, []),
        new(ExportTask.Multiclass, Activation.Tanh, true, [16]),
        new(ExportTask.Multiclass, Activation.SiLU, false, [16, 8]),
        new(ExportTask.Multiclass, Activation.Sigmoid, false, [16]),
        new(ExportTask.Multiclass, Activation.ReLU, false, []),
        new(ExportTask.Regression, Activation.ReLU, true, [16]),
        new(ExportTask.Regression, Activation.GELU, false, [16]),
        new(ExportTask.Regression, Activation.SiLU, true, [16, 8]),
        new(ExportTask.Regression, Activation.Tanh, false, []),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ONNX_Runtime_gives_the_pipelines_outputs(ExportCase c)
    {
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, c.Task);
        var model = ExportPipelines.Fit(ml, c, data);
        var onnx = Export(ml, model, data);

        AssertSameOutputs(c.Task, model.Transform(data), OnnxRunner.Run(onnx, data));
    }

    [Fact]
    public void Saturated_probabilities_are_clamped_to_the_probability_limits()
    {
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, ExportTask.Multiclass);
        var c = new ExportCase(ExportTask.Multiclass, Activation.ReLU, false, [32]);
        var model = ExportPipelines.Fit(ml, c, data, epochs: 100, learningRate: 3e-2);
        var outputs = OnnxRunner.Run(Export(ml, model, data), data);

        // Long training separates the species by logit gaps over 17: softmax underflows 2⁻²⁴ there and the clamp decides.
        var scores = (float[])outputs["Score"];
        Assert.Contains(Probabilities.Floor, scores);
        Assert.All(scores, p => Assert.InRange(p, Probabilities.Floor, Probabilities.Ceiling));
        AssertSameOutputs(ExportTask.Multiclass, model.Transform(data), outputs);
    }

    [Fact]
    public void OneVersusAll_over_the_binary_trainer_exports_too()
    {
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, ExportTask.Multiclass);
        var binary = ml.BinaryClassification.Trainers.AdamW(new AdamWBinaryTrainer.Options
        {
            Network = new MlpNetworkOptions { HiddenLayers = [8] }, NumberOfEpochs = 10, LearningRate = 3e-3, Seed = 3, NumberOfThreads = 1,
        });
        var model = ml.Transforms.Conversion.MapValueToKey("Label", "Species")
            .Append(ml.Transforms.Concatenate("Features", "BeakLength", "BeakDepth", "FlipperLength", "BodyMass"))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.MulticlassClassification.Trainers.OneVersusAll(binary))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"))
            .Fit(data);

        AssertSameOutputs(ExportTask.Multiclass, model.Transform(data), OnnxRunner.Run(Export(ml, model, data), data));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(12)]
    public void Every_opset_ML_NET_exports_loads_in_ONNX_Runtime_with_the_same_outputs(int opSet)
    {
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, ExportTask.Multiclass);
        var model = ExportPipelines.Fit(ml, new ExportCase(ExportTask.Multiclass, Activation.GELU, true, [16]), data);
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, opSet, stream);
        var onnx = stream.ToArray();

        Assert.Equal(opSet, OnnxRunner.DefaultOpSet(onnx));
        AssertSameOutputs(ExportTask.Multiclass, model.Transform(data), OnnxRunner.Run(onnx, data));
    }

    [Fact]
    public void The_default_export_uses_opset_12()
    {
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, ExportTask.Regression);
        var model = ExportPipelines.Fit(ml, new ExportCase(ExportTask.Regression, Activation.ReLU, false, [8]), data, epochs: 2);

        Assert.Equal(12, OnnxRunner.DefaultOpSet(Export(ml, model, data)));
    }

    [Fact]
    public void A_loaded_model_exports_like_the_trained_one()
    {
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, ExportTask.Binary);
        var model = ExportPipelines.Fit(ml, new ExportCase(ExportTask.Binary, Activation.SiLU, true, [8]), data);
        using var saved = new MemoryStream();
        ml.Model.Save(model, data.Schema, saved);
        saved.Position = 0;
        var fresh = new MLContext(seed: 9);
        var loaded = fresh.Model.Load(saved, out _);

        AssertSameOutputs(ExportTask.Binary, model.Transform(data), OnnxRunner.Run(Export(fresh, loaded, data), data));
    }

    private static byte[] Export(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, stream);
        return stream.ToArray();
    }

    /// <summary>
    /// Scores and probabilities within <paramref name="tolerance"/> (absolute up to magnitude 1, relative
    /// above), predicted labels equal, and for multiclass the label's value in <paramref name="predictedValue"/> too.
    /// </summary>
    internal static void AssertSameOutputs(ExportTask task, IDataView scored, Dictionary<string, Array> onnx,
        double tolerance = 1e-5, string predictedValue = "PredictedSpecies")
    {
        AssertClose(TrainerData.Scores(scored, "Score"), (float[])onnx["Score"], "Score", tolerance);
        switch (task)
        {
            case ExportTask.Binary:
                // Clamped as ONNX does, so the comparison holds with or without the clamp in managed scoring.
                var probability = scored.GetColumn<float>("Probability")
                    .Select(p => new[] { Math.Clamp(p, Probabilities.Floor, Probabilities.Ceiling) }).ToArray();
                AssertClose(probability, (float[])onnx["Probability"], "Probability", tolerance);
                Assert.Equal(scored.GetColumn<bool>("PredictedLabel"), (bool[])onnx["PredictedLabel"]);
                break;
            case ExportTask.Multiclass:
                Assert.Equal(scored.GetColumn<uint>("PredictedLabel"), (uint[])onnx["PredictedLabel"]);
                Assert.Equal(scored.GetColumn<string>(predictedValue), (string[])onnx[predictedValue]);
                break;
        }
    }

    /// <summary>Absolute up to magnitude 1, relative above (regression scores are miles per gallon).</summary>
    private static void AssertClose(float[][] expected, float[] actual, string column, double tolerance)
    {
        var width = expected[0].Length;
        Assert.Equal(expected.Length * width, actual.Length);
        for (var row = 0; row < expected.Length; row++)
        {
            for (var k = 0; k < width; k++)
            {
                var e = expected[row][k];
                var a = actual[row * width + k];
                Assert.True(Math.Abs(a - e) <= tolerance * Math.Max(1, Math.Abs(e)), $"{column}[{row}][{k}]: ONNX {a}, ML.NET {e}");
            }
        }
    }
}
