using Microsoft.ML;
namespace MLNet.AdamW.Samples;

/// <summary>
/// Featurization of the shipped data sets, shared by the tests and the benchmarks (the samples
/// spell theirs out, so that each reads on its own).
/// </summary>
public static class Featurization
{
    public static readonly string[] PenguinMeasurements =
        [nameof(Penguin.BeakLength), nameof(Penguin.BeakDepth), nameof(Penguin.FlipperLength), nameof(Penguin.BodyMass)];

    public static readonly string[] CarMeasurements =
        [nameof(Car.Cylinders), nameof(Car.Displacement), nameof(Car.Horsepower), nameof(Car.Weight), nameof(Car.Acceleration), nameof(Car.Year)];

    public static readonly string[] WeatherMeasurements =
        [nameof(WeatherDay.Precipitation), nameof(WeatherDay.MaxTemperature), nameof(WeatherDay.MinTemperature), nameof(WeatherDay.Wind), nameof(WeatherDay.Month)];

    /// <summary>Measurements with missing values replaced by the mean, the island one-hot, all standardized.</summary>
    public static IEstimator<ITransformer> PenguinFeatures(MLContext ml) =>
        ml.Transforms.ReplaceMissingValues(PenguinMeasurements.Select(c => new InputOutputColumnPair(c)).ToArray())
            .Append(ml.Transforms.Categorical.OneHotEncoding("IslandOneHot", nameof(Penguin.Island)))
            .Append(ml.Transforms.Concatenate("Features", [.. PenguinMeasurements, "IslandOneHot"]))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"));

    /// <summary>For the sex task: measurements with missing values replaced by the mean, the species one-hot, all standardized.</summary>
    public static IEstimator<ITransformer> PenguinSexFeatures(MLContext ml) =>
        ml.Transforms.ReplaceMissingValues(PenguinMeasurements.Select(c => new InputOutputColumnPair(c)).ToArray())
            .Append(ml.Transforms.Categorical.OneHotEncoding("SpeciesOneHot", nameof(Penguin.Species)))
            .Append(ml.Transforms.Concatenate("Features", [.. PenguinMeasurements, "SpeciesOneHot"]))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"));

    public static IEstimator<ITransformer> CarFeatures(MLContext ml) =>
        ml.Transforms.ReplaceMissingValues(CarMeasurements.Select(c => new InputOutputColumnPair(c)).ToArray())
            .Append(ml.Transforms.Categorical.OneHotEncoding("OriginOneHot", nameof(Car.Origin)))
            .Append(ml.Transforms.Concatenate("Features", [.. CarMeasurements, "OriginOneHot"]))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Transforms.CopyColumns("Label", nameof(Car.MilesPerGallon)));

    public static IEstimator<ITransformer> WeatherFeatures(MLContext ml) =>
        ml.Transforms.Concatenate("Features", WeatherMeasurements)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", nameof(WeatherDay.Weather)));

    /// <summary>Penguins whose sex is known, with IsMale as the Boolean label.</summary>
    public static IDataView PenguinSex(MLContext ml) =>
        ml.Data.LoadFromEnumerable(Datasets.Penguins().Where(p => p.Sex.Length > 0).ToList());
}
