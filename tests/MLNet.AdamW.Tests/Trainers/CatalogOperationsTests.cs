using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using MLNet.AdamW.Samples;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// ML.NET's own operations on our trainers and models: Evaluate, CrossValidate,
/// PermutationFeatureImportance, CreatePredictionEngine, and the binary trainer inside OneVersusAll.
/// </summary>
public sealed class CatalogOperationsTests
{
    private sealed class PenguinFeatures
    {
        [VectorType(TrainerData.PenguinFeatureCount)]
        public float[] Features { get; set; } = [];
    }

    private sealed class CarFeatures
    {
        [VectorType(TrainerData.CarFeatureCount)]
        public float[] Features { get; set; } = [];
    }

    private sealed class BinaryPrediction
    {
        public bool PredictedLabel { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }
    }

    private sealed class MulticlassPrediction
    {
        public uint PredictedLabel { get; set; }

        public float[] Score { get; set; } = [];
    }

    private sealed class RegressionPrediction
    {
        public float Score { get; set; }
    }

    [Fact]
    public void Evaluate_and_CrossValidate_work_for_all_three_tasks()
    {
        var ml = new MLContext(seed: 1);

        var sex = TrainerData.PenguinSex(ml);
        var binary = ml.BinaryClassification.Trainers.AdamW(TrainerData.Quick<AdamWBinaryTrainer.Options>(epochs: 40));
        var binaryMetrics = ml.BinaryClassification.Evaluate(binary.Fit(sex).Transform(sex));
        Assert.True(binaryMetrics.AreaUnderRocCurve > 0.88, $"AUC {binaryMetrics.AreaUnderRocCurve}");
        Assert.True(binaryMetrics.LogLossReduction > 0.15, $"log-loss reduction {binaryMetrics.LogLossReduction}");
        var binaryFolds = ml.BinaryClassification.CrossValidate(sex, binary, numberOfFolds: 3);
        Assert.Equal(3, binaryFolds.Count);
        Assert.All(binaryFolds, f => Assert.True(f.Metrics.AreaUnderRocCurve > 0.7, $"fold AUC {f.Metrics.AreaUnderRocCurve}"));
        Assert.All(binaryFolds, f => Assert.IsType<BinaryPredictionTransformer<AdamWBinaryModelParameters>>(f.Model));

        var species = TrainerData.PenguinSpecies(ml);
        var multiclass = ml.MulticlassClassification.Trainers.AdamW(TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 50));
        var multiclassMetrics = ml.MulticlassClassification.Evaluate(multiclass.Fit(species).Transform(species));
        Assert.True(multiclassMetrics.MacroAccuracy > 0.9, $"macro accuracy {multiclassMetrics.MacroAccuracy}");
        Assert.Equal(3, multiclassMetrics.PerClassLogLoss.Count);
        var multiclassFolds = ml.MulticlassClassification.CrossValidate(species, multiclass, numberOfFolds: 3);
        Assert.Equal(3, multiclassFolds.Count);
        Assert.All(multiclassFolds, f => Assert.True(f.Metrics.MacroAccuracy > 0.85, $"fold macro accuracy {f.Metrics.MacroAccuracy}"));

        var cars = TrainerData.CarMileage(ml);
        // Miles per gallon are not standardized: the output has to grow to ~23, which takes more steps.
        var regression = ml.Regression.Trainers.AdamW(TrainerData.Quick<AdamWRegressionTrainer.Options>(epochs: 100));
        var regressionMetrics = ml.Regression.Evaluate(regression.Fit(cars).Transform(cars));
        // Predicting the mean gives an RMSE of about 7.8 mpg.
        Assert.True(regressionMetrics.RootMeanSquaredError < 4.5, $"RMSE {regressionMetrics.RootMeanSquaredError}");
        var regressionFolds = ml.Regression.CrossValidate(cars, regression, numberOfFolds: 3);
        Assert.Equal(3, regressionFolds.Count);
        Assert.All(regressionFolds, f => Assert.True(f.Metrics.RSquared > 0.6, $"fold R² {f.Metrics.RSquared}"));
    }

    [Fact]
    public void PermutationFeatureImportance_ranks_the_features_of_our_models()
    {
        var ml = new MLContext(seed: 1);

        var sex = TrainerData.PenguinSex(ml);
        var binary = ml.BinaryClassification.Trainers.AdamW(TrainerData.Quick<AdamWBinaryTrainer.Options>(epochs: 40)).Fit(sex);
        var binaryImportance = ml.BinaryClassification.PermutationFeatureImportance(binary, sex, permutationCount: 1);
        Assert.Equal(TrainerData.PenguinFeatureCount, binaryImportance.Length);
        // Shuffling some measurement must hurt the AUC of a model that learnt anything.
        Assert.Contains(binaryImportance, f => f.AreaUnderRocCurve.Mean < -0.02);

        var species = TrainerData.PenguinSpecies(ml);
        var multiclass = ml.MulticlassClassification.Trainers.AdamW(TrainerData.Quick<AdamWMulticlassTrainer.Options>()).Fit(species);
        var multiclassImportance = ml.MulticlassClassification.PermutationFeatureImportance(multiclass, species, permutationCount: 1);
        Assert.Equal(TrainerData.PenguinFeatureCount, multiclassImportance.Length);
        Assert.Contains(multiclassImportance, f => f.MacroAccuracy.Mean < -0.05);

        var cars = TrainerData.CarMileage(ml);
        var regression = ml.Regression.Trainers.AdamW(TrainerData.Quick<AdamWRegressionTrainer.Options>(epochs: 20)).Fit(cars);
        var regressionImportance = ml.Regression.PermutationFeatureImportance(regression, cars, permutationCount: 1);
        Assert.Equal(TrainerData.CarFeatureCount, regressionImportance.Length);
        Assert.Contains(regressionImportance, f => f.RootMeanSquaredError.Mean > 0.5);
    }

    [Fact]
    public void PermutationFeatureImportance_of_a_whole_pipeline_names_the_features()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(TrainerData.Cars);
        var model = Featurization.CarFeatures(ml)
            .Append(ml.Regression.Trainers.AdamW(TrainerData.Quick<AdamWRegressionTrainer.Options>(epochs: 20)))
            .Fit(raw);
        // As in ML.NET's sample: the data given is the pipeline's output, which has the features column.
        var importance = ml.Regression.PermutationFeatureImportance(model, model.Transform(raw), permutationCount: 1);
        Assert.Equal(TrainerData.CarFeatureCount, importance.Count);
        Assert.Contains(nameof(Car.Weight), importance.Keys);
        Assert.Contains(importance.Values, f => f.RootMeanSquaredError.Mean > 0.5);
    }

    [Fact]
    public void Prediction_engines_with_typed_classes_agree_with_Transform()
    {
        var ml = new MLContext(seed: 1);

        var sex = TrainerData.PenguinSex(ml);
        var binary = ml.BinaryClassification.Trainers.AdamW(TrainerData.Quick<AdamWBinaryTrainer.Options>()).Fit(sex);
        var binaryScored = binary.Transform(sex);
        var binaryEngine = ml.Model.CreatePredictionEngine<PenguinFeatures, BinaryPrediction>(binary);
        var scores = binaryScored.GetColumn<float>("Score").ToArray();
        var probabilities = binaryScored.GetColumn<float>("Probability").ToArray();
        var labels = binaryScored.GetColumn<bool>("PredictedLabel").ToArray();
        var rows = TrainerData.FeatureRows(sex);
        for (var i = 0; i < rows.Length; i++)
        {
            var p = binaryEngine.Predict(new PenguinFeatures { Features = rows[i] });
            Assert.Equal(scores[i], p.Score);
            Assert.Equal(probabilities[i], p.Probability);
            Assert.Equal(labels[i], p.PredictedLabel);
        }

        var species = TrainerData.PenguinSpecies(ml);
        var multiclass = ml.MulticlassClassification.Trainers.AdamW(TrainerData.Quick<AdamWMulticlassTrainer.Options>()).Fit(species);
        var multiclassScored = multiclass.Transform(species);
        var multiclassEngine = ml.Model.CreatePredictionEngine<PenguinFeatures, MulticlassPrediction>(multiclass);
        var classScores = TrainerData.Scores(multiclassScored);
        var predicted = multiclassScored.GetColumn<uint>("PredictedLabel").ToArray();
        rows = TrainerData.FeatureRows(species);
        for (var i = 0; i < rows.Length; i++)
        {
            var p = multiclassEngine.Predict(new PenguinFeatures { Features = rows[i] });
            Assert.Equal(classScores[i], p.Score);
            Assert.Equal(predicted[i], p.PredictedLabel);
        }

        var cars = TrainerData.CarMileage(ml);
        var regression = ml.Regression.Trainers.AdamW(TrainerData.Quick<AdamWRegressionTrainer.Options>()).Fit(cars);
        var regressionEngine = ml.Model.CreatePredictionEngine<CarFeatures, RegressionPrediction>(regression);
        var values = regression.Transform(cars).GetColumn<float>("Score").ToArray();
        rows = TrainerData.FeatureRows(cars);
        for (var i = 0; i < rows.Length; i++)
            Assert.Equal(values[i], regressionEngine.Predict(new CarFeatures { Features = rows[i] }).Score);
    }

    [Fact]
    public void The_binary_trainer_works_inside_OneVersusAll_and_the_result_saves_and_loads()
    {
        var ml = new MLContext(seed: 1);
        var species = TrainerData.PenguinSpecies(ml);
        var ova = ml.MulticlassClassification.Trainers.OneVersusAll(
            ml.BinaryClassification.Trainers.AdamW(TrainerData.Quick<AdamWBinaryTrainer.Options>(epochs: 40)));
        var model = ova.Fit(species);
        var scored = model.Transform(species);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.True(metrics.MacroAccuracy > 0.9, $"macro accuracy {metrics.MacroAccuracy}");

        // Each class's model is ours, inside the calibrated model OVA builds (SubModelParameters is internal).
        var subModels = (System.Collections.IEnumerable)typeof(OneVersusAllModelParameters)
            .GetProperty("SubModelParameters", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(model.Model)!;
        var inner = subModels.Cast<object>()
            .Select(m => m.GetType().GetProperties().Where(p => p.Name == "SubModel").Select(p => p.GetValue(m)).FirstOrDefault(v => v is not null) ?? m)
            .ToList();
        Assert.Equal(3, inner.Count);
        Assert.All(inner, m => Assert.IsType<AdamWBinaryModelParameters>(m));

        var path = TrainerData.TempPath();
        try
        {
            ml.Model.Save(model, species.Schema, path);
            var loaded = new MLContext(seed: 2).Model.Load(path, out _);
            var loadedScored = loaded.Transform(species);
            Assert.Equal(TrainerData.Values(scored, "Score"), TrainerData.Values(loadedScored, "Score"));
            Assert.Equal(TrainerData.Values(scored, "PredictedLabel"), TrainerData.Values(loadedScored, "PredictedLabel"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
