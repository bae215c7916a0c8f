using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Tests.Trainers;
using TorchSharp;

namespace MLNet.AdamW.Tests.Model;

/// <summary>
/// <c>ml.Model.ConvertToOnnx</c> of pipelines ending in each trainer with a CNN or a ResNet (1×8×8
/// images, width 4; batch norm on and off; option-A and projection shortcuts): ONNX Runtime on the
/// file gives <c>Transform</c>'s Score, Probability and PredictedLabel (scores to 1e-4, labels equal),
/// from a flat feature vector with <c>ImageShape</c> or from a column of three dimensions.
/// </summary>
public sealed class OnnxImageExportTests
{
    private const double Tolerance = 1e-4;

    public OnnxImageExportTests() => torch.set_num_threads(1);

    public static TheoryData<ExportTask, string> Cases()
    {
        var cases = new TheoryData<ExportTask, string>();
        foreach (var task in Enum.GetValues<ExportTask>())
            foreach (var network in new[] { "cnn", "cnn-bn", "resnet", "resnet-bn", "resnet-projection" })
                cases.Add(task, network);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ONNX_Runtime_gives_the_pipelines_outputs(ExportTask task, string network)
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var model = Pipeline(ml, task, network).Fit(data);

        OnnxExportTests.AssertSameOutputs(task, model.Transform(data), OnnxRunner.Run(Export(ml, model, data), data), Tolerance, PredictedDirection);
    }

    [Fact]
    public void A_loaded_ResNet_model_exports_like_the_trained_one()
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var model = Pipeline(ml, ExportTask.Multiclass, "resnet-bn").Fit(data);
        using var saved = new MemoryStream();
        ml.Model.Save(model, data.Schema, saved);
        saved.Position = 0;
        var fresh = new MLContext(seed: 9);
        var loaded = fresh.Model.Load(saved, out _);

        OnnxExportTests.AssertSameOutputs(ExportTask.Multiclass, model.Transform(data), OnnxRunner.Run(Export(fresh, loaded, data), data), Tolerance, PredictedDirection);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    public void An_option_A_ResNet_needs_opset_11_and_says_so_while_the_CNN_exports_at_any_opset(int opSet)
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var cnn = Pipeline(ml, ExportTask.Binary, "cnn-bn").Fit(data);
        using (var stream = new MemoryStream())
        {
            ml.Model.ConvertToOnnx(cnn, data, opSet, stream);
            Assert.Equal(opSet, OnnxRunner.DefaultOpSet(stream.ToArray()));
            OnnxExportTests.AssertSameOutputs(ExportTask.Binary, cnn.Transform(data), OnnxRunner.Run(stream.ToArray(), data), Tolerance);
        }

        var resNet = Pipeline(ml, ExportTask.Binary, "resnet").Fit(data);
        // ML.NET's own message: "Requested OpSet version 9 is lower than <owner>'s minimum OpSet version requirement: 11".
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Model.ConvertToOnnx(resNet, data, opSet, new MemoryStream()));
        Assert.Contains($"version {opSet}", error.Message, StringComparison.Ordinal);
        Assert.Contains("option-A shortcuts need Slice with steps and Pad", error.Message, StringComparison.Ordinal);
        Assert.Contains("requirement: 11", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_feature_column_shaped_as_an_image_exports_too()
    {
        var ml = new MLContext(seed: 1);
        var flat = Data(ml);
        var data = ml.Data.LoadFromEnumerable(ml.Data.CreateEnumerable<ImageRow>(flat, reuseRowObject: false)
            .Select(r => new ShapedImageRow { Features = r.Features, Vertical = r.Vertical }).ToList());
        var options = Options<AdamWBinaryTrainer.Options>("resnet-bn", "Vertical");
        options.ImageShape = null; // taken from the column's dimensions
        var model = ml.BinaryClassification.Trainers.AdamW(options).Fit(data);

        OnnxExportTests.AssertSameOutputs(ExportTask.Binary, model.Transform(data), OnnxRunner.Run(Export(ml, model, data), data), Tolerance);
    }

    /// <summary>An image as a feature column of three dimensions (channels, height, width).</summary>
    private sealed class ShapedImageRow
    {
        [VectorType(1, 8, 8)]
        public float[] Features { get; set; } = [];

        public bool Vertical { get; set; }
    }

    private const string PredictedDirection = "PredictedDirection";

    /// <summary>An image of <see cref="ImageData"/> with its three labels, as raw columns a pipeline starts from.</summary>
    private sealed class ImageRow
    {
        [VectorType(ImageData.FeatureCount)]
        public float[] Features { get; set; } = [];

        public bool Vertical { get; set; }

        public string Direction { get; set; } = "";

        public float Position { get; set; }
    }

    /// <summary>
    /// <see cref="ImageData"/>'s images loaded afresh (the export's graph starts at the data's source,
    /// whose columns ONNX Runtime is then fed): the same rows, as every task's view draws them alike.
    /// </summary>
    private static IDataView Data(MLContext ml)
    {
        var binary = ImageData.Binary(ml);
        var features = binary.GetColumn<VBuffer<float>>("Features").ToList();
        var vertical = binary.GetColumn<bool>("Label").ToList();
        var position = ImageData.Regression(ml).GetColumn<float>("Label").ToList();
        return ml.Data.LoadFromEnumerable(features.Select((f, i) => new ImageRow
        {
            Features = f.DenseValues().ToArray(), Vertical = vertical[i], Direction = vertical[i] ? "vertical" : "horizontal", Position = position[i],
        }).ToList());
    }

    private static IEstimator<ITransformer> Pipeline(MLContext ml, ExportTask task, string network) => task switch
    {
        ExportTask.Binary => ml.BinaryClassification.Trainers.AdamW(Options<AdamWBinaryTrainer.Options>(network, "Vertical")),
        ExportTask.Multiclass => ml.Transforms.Conversion.MapValueToKey("Label", "Direction")
            .Append(ml.MulticlassClassification.Trainers.AdamW(Options<AdamWMulticlassTrainer.Options>(network, "Label")))
            .Append(ml.Transforms.Conversion.MapKeyToValue(PredictedDirection, "PredictedLabel")),
        _ => ml.Regression.Trainers.AdamW(Options<AdamWRegressionTrainer.Options>(network, "Position")),
    };

    private static T Options<T>(string network, string label)
        where T : AdamWTrainerOptions, new()
    {
        var options = ImageData.Quick<T>(network);
        options.LabelColumnName = label;
        return options;
    }

    private static byte[] Export(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, data, stream);
        return stream.ToArray();
    }
}
