using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MLNet.AdamW.Tests.Model;

/// <summary><c>GetAdamWModel</c> finds our model parameters wherever the trainer sits in a fitted pipeline.</summary>
public sealed class AdamWModelExtensionsTests
{
    private static readonly ExportCase Multiclass = new(ExportTask.Multiclass, Activation.ReLU, false, [8]);

    [Fact]
    public void Finds_the_model_of_a_multiclass_pipeline_that_ends_with_MapKeyToValue()
    {
        var ml = new MLContext(seed: 1);
        var model = ExportPipelines.Fit(ml, Multiclass, ExportPipelines.Data(ml, Multiclass.Task), epochs: 1);
        var steps = Assert.IsAssignableFrom<IEnumerable<ITransformer>>(model).ToList();
        var trainer = steps.OfType<MulticlassPredictionTransformer<AdamWMulticlassModelParameters>>().Single();

        Assert.IsType<KeyToValueMappingTransformer>(steps[^1]);
        Assert.Same(trainer.Model, model.GetAdamWModel<AdamWMulticlassModelParameters>());
        Assert.True(model.TryGetAdamWModel<AdamWMulticlassModelParameters>(out var found));
        Assert.Same(trainer.Model, found);
    }

    [Fact]
    public void Searches_chains_inside_chains_a_bare_prediction_transformer_and_a_loaded_model()
    {
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, ExportTask.Regression);
        var features = ml.Transforms.Concatenate("Features", "Cylinders", "Weight").Fit(data);
        var featured = features.Transform(data);
        var trainer = ml.Regression.Trainers.AdamW(new AdamWRegressionTrainer.Options
        {
            LabelColumnName = "MilesPerGallon", Network = new MlpNetworkOptions { HiddenLayers = [4] }, NumberOfEpochs = 1, Seed = 1, NumberOfThreads = 1,
        }).Fit(featured);
        var nested = new TransformerChain<ITransformer>(
            new TransformerChain<ITransformer>(features),
            new TransformerChain<ITransformer>(new TransformerChain<ITransformer>(trainer)));

        Assert.Same(trainer.Model, trainer.GetAdamWModel<AdamWRegressionModelParameters>());
        Assert.Same(trainer.Model, nested.GetAdamWModel<AdamWRegressionModelParameters>());

        using var stream = new MemoryStream();
        ml.Model.Save(nested, data.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext(seed: 2).Model.Load(stream, out _).GetAdamWModel<AdamWRegressionModelParameters>();
        Assert.Equal(trainer.Model.NetworkDescription, loaded.NetworkDescription);
    }

    [Fact]
    public void Absent_model_throws_naming_what_the_pipeline_holds_and_Try_returns_false()
    {
        var ml = new MLContext(seed: 1);
        var model = ExportPipelines.Fit(ml, Multiclass, ExportPipelines.Data(ml, Multiclass.Task), epochs: 1);

        var e = Assert.Throws<InvalidOperationException>(() => model.GetAdamWModel<AdamWBinaryModelParameters>());
        Assert.Contains("no AdamWBinaryModelParameters", e.Message, StringComparison.Ordinal);
        Assert.Contains("ValueToKeyMappingTransformer", e.Message, StringComparison.Ordinal);
        Assert.Contains("MulticlassPredictionTransformer<AdamWMulticlassModelParameters> of AdamWMulticlassModelParameters", e.Message, StringComparison.Ordinal);
        Assert.Contains("KeyToValueMappingTransformer", e.Message, StringComparison.Ordinal);
        Assert.False(model.TryGetAdamWModel<AdamWBinaryModelParameters>(out var none));
        Assert.Null(none);
    }

    [Fact]
    public void Two_models_of_the_type_asked_for_are_ambiguous()
    {
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, ExportTask.Regression);
        var model = ExportPipelines.Fit(ml, new ExportCase(ExportTask.Regression, Activation.ReLU, false, [4]), data, epochs: 1);
        var twice = new TransformerChain<ITransformer>(model, model);

        var e = Assert.Throws<InvalidOperationException>(() => twice.GetAdamWModel<AdamWRegressionModelParameters>());
        Assert.Contains("2 AdamWRegressionModelParameters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_that_is_not_ours_is_refused()
    {
        var ml = new MLContext(seed: 1);
        var data = ExportPipelines.Data(ml, ExportTask.Regression);
        var model = ml.Transforms.Concatenate("Features", "Cylinders").Fit(data);

        var e = Assert.Throws<ArgumentException>(() => model.GetAdamWModel<Microsoft.ML.Trainers.LinearRegressionModelParameters>());
        Assert.Contains("AdamWRegressionModelParameters", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => ((ITransformer)null!).GetAdamWModel<AdamWBinaryModelParameters>());
    }
}
