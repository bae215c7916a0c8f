using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Samples;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// Our trainers' output columns, types and annotations are those of ML.NET's built-in trainers on
/// the same data, so everything downstream (evaluators, MapKeyToValue, prediction engines) treats
/// them alike.
/// </summary>
public sealed class BuiltInParityTests
{
    [Fact]
    public void Binary_output_columns_match_LbfgsLogisticRegression()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSex(ml);
        var ours = ml.BinaryClassification.Trainers.AdamW(TrainerData.Quick<AdamWBinaryTrainer.Options>()).Fit(data).Transform(data);
        var builtIn = ml.BinaryClassification.Trainers.LbfgsLogisticRegression().Fit(data).Transform(data);

        var columns = SameOutputColumns(data.Schema, builtIn.Schema, ours.Schema);
        Assert.Equal(["PredictedLabel", "Score", "Probability"], columns); // ML.NET's scorers' order
        Assert.Equal(NumberDataViewType.Single, ours.Schema["Score"].Type);
        Assert.Equal(NumberDataViewType.Single, ours.Schema["Probability"].Type);
        Assert.Equal(BooleanDataViewType.Instance, ours.Schema["PredictedLabel"].Type);
        Assert.Contains("Probability/IsNormalized: Boolean = true", TrainerConformance.Annotations(ours.Schema["Probability"]));

        // The columns mean what the built-in ones mean: probability = σ(score), label = score > 0.
        var scores = ours.GetColumn<float>("Score").ToArray();
        var probabilities = ours.GetColumn<float>("Probability").ToArray();
        var labels = ours.GetColumn<bool>("PredictedLabel").ToArray();
        for (var i = 0; i < scores.Length; i++)
        {
            Assert.Equal(1 / (1 + Math.Exp(-scores[i])), probabilities[i], 1e-6);
            Assert.Equal(scores[i] > 0, labels[i]);
        }
    }

    [Fact]
    public void Multiclass_output_columns_match_LbfgsMaximumEntropy_and_map_back_to_the_label_values()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var ours = ml.MulticlassClassification.Trainers.AdamW(TrainerData.Quick<AdamWMulticlassTrainer.Options>()).Fit(data).Transform(data);
        var builtIn = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy().Fit(data).Transform(data);

        var columns = SameOutputColumns(data.Schema, builtIn.Schema, ours.Schema);
        Assert.Equal(["PredictedLabel", "Score"], columns);

        // Score: one slot per class, named by the label's key values.
        var labelValues = default(VBuffer<ReadOnlyMemory<char>>);
        data.Schema["Label"].GetKeyValues(ref labelValues);
        var classNames = labelValues.DenseValues().Select(v => v.ToString()).ToArray();
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], classNames.Order(StringComparer.Ordinal));
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        ours.Schema["Score"].GetSlotNames(ref slotNames);
        Assert.Equal(classNames, slotNames.DenseValues().Select(v => v.ToString()).ToArray());
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), ours.Schema["Score"].Type);

        // PredictedLabel: the label's key type, with its key values.
        Assert.Equal(data.Schema["Label"].Type, ours.Schema["PredictedLabel"].Type);
        var predictedValues = default(VBuffer<ReadOnlyMemory<char>>);
        ours.Schema["PredictedLabel"].GetKeyValues(ref predictedValues);
        Assert.Equal(classNames, predictedValues.DenseValues().Select(v => v.ToString()).ToArray());

        // So MapKeyToValue gives species names back, the ones the scores point at.
        var mapped = ml.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel").Fit(ours).Transform(ours);
        var species = mapped.GetColumn<string>("PredictedSpecies").ToArray();
        var scores = TrainerData.Scores(ours);
        for (var i = 0; i < species.Length; i++)
        {
            var best = Array.IndexOf(scores[i], scores[i].Max());
            Assert.Equal(classNames[best], species[i]);
            Assert.Equal(1.0, scores[i].Sum(), 1e-5);
        }
        Assert.Equal(TrainerData.Penguins.Count, species.Length);
    }

    [Fact]
    public void Regression_output_column_matches_Sdca()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.CarMileage(ml);
        var ours = ml.Regression.Trainers.AdamW(TrainerData.Quick<AdamWRegressionTrainer.Options>()).Fit(data).Transform(data);
        var builtIn = ml.Regression.Trainers.Sdca().Fit(data).Transform(data);

        var columns = SameOutputColumns(data.Schema, builtIn.Schema, ours.Schema);
        Assert.Equal(["Score"], columns);
        Assert.Equal(NumberDataViewType.Single, ours.Schema["Score"].Type);
        Assert.Equal(TrainerData.Cars.Count, ours.GetColumn<float>("Score").Count(float.IsFinite));
    }

    [Fact]
    public void A_pipeline_ending_in_our_trainer_has_the_schema_of_one_ending_in_a_built_in_trainer()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(TrainerData.Penguins);
        var front = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Penguin.Species)).Append(Featurization.PenguinFeatures(ml));
        var back = ml.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel");
        var ours = front.Append(ml.MulticlassClassification.Trainers.AdamW(TrainerData.Quick<AdamWMulticlassTrainer.Options>())).Append(back).Fit(raw).Transform(raw);
        var builtIn = front.Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()).Append(back).Fit(raw).Transform(raw);
        TrainerConformance.SameSchema(builtIn.Schema, ours.Schema, "built-in vs AdamW pipeline");
    }

    /// <summary>Same output columns in the same order, same types, same annotations (names, types, values).</summary>
    private static List<string> SameOutputColumns(DataViewSchema input, DataViewSchema builtIn, DataViewSchema ours)
    {
        var expected = TrainerConformance.OutputColumns(input, builtIn);
        var actual = TrainerConformance.OutputColumns(input, ours);
        Assert.Equal(expected, actual);
        TrainerConformance.SameSchema(builtIn, ours, "built-in vs AdamW output");
        return [.. actual];
    }
}
