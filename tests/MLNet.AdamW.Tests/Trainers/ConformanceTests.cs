using Microsoft.ML;
using Microsoft.ML.Data;
using static MLNet.AdamW.Tests.Trainers.TrainerConformance;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary><see cref="TrainerConformance"/> for each of the three trainers, with the MLP and with each image network.</summary>
public sealed class ConformanceTests
{
    /// <summary>A CNN with batch norm and a ResNet without (ImageData's 1×8×8 networks).</summary>
    public static TheoryData<string> ImageNetworks() => new() { "cnn-bn", "resnet" };

    [Fact]
    public void Binary_trainer_keeps_the_estimator_contract()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSex(ml);
        var trainer = ml.BinaryClassification.Trainers.AdamW(TrainerData.Quick<AdamWBinaryTrainer.Options>());
        var wrongLabel = ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Single).Fit(data).Transform(data);
        var transformer = Check(ml, trainer, data,
            [.. CommonInvalidInputs(ml, data), new InvalidInput("a Single label", wrongLabel, false, "expected Boolean")]);
        Assert.IsType<BinaryPredictionTransformer<AdamWBinaryModelParameters>>(transformer);
    }

    [Fact]
    public void Multiclass_trainer_keeps_the_estimator_contract()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var trainer = ml.MulticlassClassification.Trainers.AdamW(TrainerData.Quick<AdamWMulticlassTrainer.Options>());
        var textLabel = ml.Transforms.Conversion.MapKeyToValue("Label").Fit(data).Transform(data);
        var transformer = Check(ml, trainer, data,
            [.. CommonInvalidInputs(ml, data), new InvalidInput("a text label", textLabel, false, "MapValueToKey")]);
        Assert.IsType<MulticlassPredictionTransformer<AdamWMulticlassModelParameters>>(transformer);
    }

    [Fact]
    public void Regression_trainer_keeps_the_estimator_contract()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.CarMileage(ml);
        var trainer = ml.Regression.Trainers.AdamW(TrainerData.Quick<AdamWRegressionTrainer.Options>());
        var wrongLabel = ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Double).Fit(data).Transform(data);
        var transformer = Check(ml, trainer, data,
            [.. CommonInvalidInputs(ml, data), new InvalidInput("a Double label", wrongLabel, false, "expected Single")]);
        Assert.IsType<RegressionPredictionTransformer<AdamWRegressionModelParameters>>(transformer);
    }

    [Theory]
    [MemberData(nameof(ImageNetworks))]
    public void Binary_trainer_keeps_the_estimator_contract_with_an_image_network(string network)
    {
        var ml = new MLContext(seed: 1);
        var data = ImageData.Binary(ml);
        var trainer = ml.BinaryClassification.Trainers.AdamW(ImageData.Quick<AdamWBinaryTrainer.Options>(network));
        var wrongLabel = ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Single).Fit(data).Transform(data);
        var transformer = Check(ml, trainer, data,
            [.. CommonInvalidInputs(ml, data), new InvalidInput("a Single label", wrongLabel, false, "expected Boolean")]);
        Assert.IsType<BinaryPredictionTransformer<AdamWBinaryModelParameters>>(transformer);
    }

    [Theory]
    [MemberData(nameof(ImageNetworks))]
    public void Multiclass_trainer_keeps_the_estimator_contract_with_an_image_network(string network)
    {
        var ml = new MLContext(seed: 1);
        var data = ImageData.Multiclass(ml);
        var trainer = ml.MulticlassClassification.Trainers.AdamW(ImageData.Quick<AdamWMulticlassTrainer.Options>(network));
        var textLabel = ml.Transforms.Conversion.MapKeyToValue("Label").Fit(data).Transform(data);
        var transformer = Check(ml, trainer, data,
            [.. CommonInvalidInputs(ml, data), new InvalidInput("a text label", textLabel, false, "MapValueToKey")]);
        Assert.IsType<MulticlassPredictionTransformer<AdamWMulticlassModelParameters>>(transformer);
    }

    [Theory]
    [MemberData(nameof(ImageNetworks))]
    public void Regression_trainer_keeps_the_estimator_contract_with_an_image_network(string network)
    {
        var ml = new MLContext(seed: 1);
        var data = ImageData.Regression(ml);
        var trainer = ml.Regression.Trainers.AdamW(ImageData.Quick<AdamWRegressionTrainer.Options>(network));
        var wrongLabel = ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Double).Fit(data).Transform(data);
        var transformer = Check(ml, trainer, data,
            [.. CommonInvalidInputs(ml, data), new InvalidInput("a Double label", wrongLabel, false, "expected Single")]);
        Assert.IsType<RegressionPredictionTransformer<AdamWRegressionModelParameters>>(transformer);
    }

    /// <summary>No label column, no feature column, and features of Double instead of Single.</summary>
    /// <remarks>Scoring data without the feature column fails in ML.NET's RoleMappedSchema with the roles swapped in
    /// its message ("Features column 'Feature' not found"), and Double features in its scorer ("Incompatible features
    /// column type"), for built-in trainers alike; hence the looser fragment.</remarks>
    private static IEnumerable<InvalidInput> CommonInvalidInputs(MLContext ml, IDataView data)
    {
        yield return new("data without a label column", Drop(ml, data, "Label"), false, "label column 'Label'");
        yield return new("data without a feature column", Drop(ml, data, "Features"), true, "features");
        var doubles = ml.Transforms.Conversion.ConvertType("Features", outputKind: DataKind.Double).Fit(data).Transform(data);
        yield return new("features of Double", doubles, true, "features");
    }

    private static IDataView Drop(MLContext ml, IDataView data, string column) =>
        ml.Transforms.DropColumns(column).Fit(data).Transform(data);
}
