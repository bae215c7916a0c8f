using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Samples;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// Saved models load as our own types with bit-identical scores: in a process that has done nothing
/// but load the file (no registration call), and as whole pipelines in a fresh MLContext.
/// </summary>
public sealed class SaveLoadTests
{
    [Fact]
    public void Multiclass_model_loads_in_a_fresh_process_with_identical_scores()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var transformer = ml.MulticlassClassification.Trainers.AdamW(TrainerData.Quick<AdamWMulticlassTrainer.Options>()).Fit(data);
        AssertFreshProcessScores(ml, transformer, data, typeof(MulticlassPredictionTransformer<AdamWMulticlassModelParameters>));
    }

    [Fact]
    public void Regression_model_loads_in_a_fresh_process_with_identical_scores()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.CarMileage(ml);
        var transformer = ml.Regression.Trainers.AdamW(TrainerData.Quick<AdamWRegressionTrainer.Options>()).Fit(data);
        AssertFreshProcessScores(ml, transformer, data, typeof(RegressionPredictionTransformer<AdamWRegressionModelParameters>));
    }

    [Fact]
    public void A_CNN_model_loads_in_a_fresh_process_with_identical_scores()
    {
        var ml = new MLContext(seed: 1);
        var data = ImageData.Multiclass(ml);
        var transformer = ml.MulticlassClassification.Trainers.AdamW(ImageData.Quick<AdamWMulticlassTrainer.Options>("cnn-bn")).Fit(data);
        AssertFreshProcessScores(ml, transformer, data, typeof(MulticlassPredictionTransformer<AdamWMulticlassModelParameters>));
    }

    [Fact]
    public void A_ResNet_model_loads_in_a_fresh_process_with_identical_scores()
    {
        var ml = new MLContext(seed: 1);
        var data = ImageData.Regression(ml);
        var transformer = ml.Regression.Trainers.AdamW(ImageData.Quick<AdamWRegressionTrainer.Options>("resnet-projection")).Fit(data);
        AssertFreshProcessScores(ml, transformer, data, typeof(RegressionPredictionTransformer<AdamWRegressionModelParameters>));
    }

    [Fact]
    public void A_whole_pipeline_saves_and_loads_in_a_fresh_context_with_identical_predictions()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(TrainerData.Penguins);
        var model = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Penguin.Species))
            .Append(Featurization.PenguinFeatures(ml))
            .Append(ml.MulticlassClassification.Trainers.AdamW(TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 50)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"))
            .Fit(raw);
        var scored = model.Transform(raw);

        var path = TrainerData.TempPath();
        try
        {
            ml.Model.Save(model, raw.Schema, path);
            var fresh = new MLContext(seed: 7);
            var loaded = fresh.Model.Load(path, out var inputSchema);
            TrainerConformance.SameSchema(raw.Schema, inputSchema, "saved vs loaded input schema");
            var chain = Assert.IsAssignableFrom<IEnumerable<ITransformer>>(loaded);
            Assert.Contains(chain, t => t is MulticlassPredictionTransformer<AdamWMulticlassModelParameters>);

            var rescored = loaded.Transform(fresh.Data.LoadFromEnumerable(TrainerData.Penguins));
            TrainerConformance.SameSchema(scored.Schema, rescored.Schema, "in-memory vs loaded pipeline output");
            Assert.Equal(TrainerData.Values(scored, "Score"), TrainerData.Values(rescored, "Score"));
            var predicted = scored.GetColumn<string>("PredictedSpecies").ToArray();
            Assert.Equal(predicted, rescored.GetColumn<string>("PredictedSpecies").ToArray());
            var correct = predicted.Zip(TrainerData.Penguins).Count(p => p.First == p.Second.Species);
            Assert.True(correct > 0.9 * predicted.Length, $"{correct} of {predicted.Length} correct");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertFreshProcessScores(MLContext ml, ITransformer transformer, IDataView data, Type expectedType)
    {
        var inProcess = TrainerData.Scores(transformer.Transform(data));
        var rows = TrainerData.FeatureRows(data);
        var path = TrainerData.TempPath();
        try
        {
            // The trainer's transformer alone: its input is the feature column.
            var featuresOnly = ml.Transforms.SelectColumns("Features").Fit(data).Transform(data);
            ml.Model.Save(transformer, featuresOnly.Schema, path);
            var (type, scores) = FreshProcess.Score(path, rows);
            Assert.Equal(expectedType.FullName, type);
            Assert.Equal(inProcess.Length, scores.Length);
            for (var i = 0; i < scores.Length; i++)
                Assert.Equal(inProcess[i].Select(BitConverter.SingleToInt32Bits), scores[i].Select(BitConverter.SingleToInt32Bits));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
