using Microsoft.ML;
using MLNet.AdamW.Tests.Trainers;

namespace MLNet.AdamW.Tests.Model;

/// <summary>The three tasks.</summary>
public enum ExportTask
{
    Binary,
    Multiclass,
    Regression,
}

/// <summary>A network for an export test: the task and the layout the trainer trains.</summary>
public sealed record ExportCase(ExportTask Task, Activation Activation, bool BatchNorm, int[] HiddenLayers)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Task}, {(HiddenLayers.Length == 0 ? "linear" : $"{Activation} [{string.Join(',', HiddenLayers)}]")}{(BatchNorm ? ", batch norm" : "")}";
}

/// <summary>A shipped penguin with every measurement known, as raw columns a pipeline starts from.</summary>
public sealed class PenguinRow
{
    public string Species { get; set; } = "";

    public float BeakLength { get; set; }

    public float BeakDepth { get; set; }

    public float FlipperLength { get; set; }

    public float BodyMass { get; set; }

    public bool IsMale { get; set; }
}

/// <summary>A shipped car with its mileage and horsepower known.</summary>
public sealed class CarRow
{
    public float MilesPerGallon { get; set; }

    public float Cylinders { get; set; }

    public float Displacement { get; set; }

    public float Horsepower { get; set; }

    public float Weight { get; set; }

    public float Acceleration { get; set; }

    public float Year { get; set; }
}

/// <summary>
/// Whole pipelines from raw columns, as a user writes them: Concatenate → NormalizeMeanVariance →
/// the task's AdamW trainer, with MapValueToKey before and MapKeyToValue after for multiclass.
/// </summary>
internal static class ExportPipelines
{
    private static readonly string[] PenguinMeasurements = ["BeakLength", "BeakDepth", "FlipperLength", "BodyMass"];
    private static readonly string[] CarMeasurements = ["Cylinders", "Displacement", "Horsepower", "Weight", "Acceleration", "Year"];

    /// <summary>The raw rows of the task: penguins of known sex, or cars of known mileage and horsepower.</summary>
    public static IDataView Data(MLContext ml, ExportTask task) => task == ExportTask.Regression
        ? ml.Data.LoadFromEnumerable(TrainerData.Cars
            .Where(c => !float.IsNaN(c.MilesPerGallon) && !float.IsNaN(c.Horsepower))
            .Select(c => new CarRow
            {
                MilesPerGallon = c.MilesPerGallon, Cylinders = c.Cylinders, Displacement = c.Displacement, Horsepower = c.Horsepower,
                Weight = c.Weight, Acceleration = c.Acceleration, Year = c.Year,
            }).ToList())
        : ml.Data.LoadFromEnumerable(TrainerData.Penguins
            .Where(p => p.Sex.Length > 0 && !float.IsNaN(p.BeakLength) && !float.IsNaN(p.BodyMass))
            .Select(p => new PenguinRow
            {
                Species = p.Species, BeakLength = p.BeakLength, BeakDepth = p.BeakDepth, FlipperLength = p.FlipperLength,
                BodyMass = p.BodyMass, IsMale = p.IsMale,
            }).ToList());

    /// <summary>
    /// The pipeline of a case, trained briefly (few epochs and a modest learning rate keep the
    /// probabilities away from 0 and 1, where they would only compare the clamp).
    /// </summary>
    public static ITransformer Fit(MLContext ml, ExportCase c, IDataView data, int epochs = 10, double learningRate = 3e-3) =>
        Estimator(ml, c, epochs, learningRate).Fit(data);

    public static IEstimator<ITransformer> Estimator(MLContext ml, ExportCase c, int epochs = 10, double learningRate = 3e-3)
    {
        var measurements = c.Task == ExportTask.Regression ? CarMeasurements : PenguinMeasurements;
        var features = ml.Transforms.Concatenate("Features", measurements)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"));
        switch (c.Task)
        {
            case ExportTask.Binary:
                return features.Append(ml.BinaryClassification.Trainers.AdamW(Options<AdamWBinaryTrainer.Options>(c, epochs, learningRate, label: "IsMale")));
            case ExportTask.Multiclass:
                return ml.Transforms.Conversion.MapValueToKey("Label", "Species")
                    .Append(features)
                    .Append(ml.MulticlassClassification.Trainers.AdamW(Options<AdamWMulticlassTrainer.Options>(c, epochs, learningRate, label: "Label")))
                    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"));
            default:
                return features.Append(ml.Regression.Trainers.AdamW(Options<AdamWRegressionTrainer.Options>(c, epochs, learningRate, label: "MilesPerGallon")));
        }
    }

    private static T Options<T>(ExportCase c, int epochs, double learningRate, string label)
        where T : AdamWTrainerOptions, new() =>
        new()
        {
            LabelColumnName = label, Network = new MlpNetworkOptions { HiddenLayers = c.HiddenLayers, Activation = c.Activation, BatchNorm = c.BatchNorm },
            NumberOfEpochs = epochs, LearningRate = learningRate, Seed = 3, NumberOfThreads = 1,
            WeightDecay = 1e-2, // fixed here, so that the saturation test does not move with the default
        };
}
