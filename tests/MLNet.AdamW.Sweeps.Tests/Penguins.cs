using Microsoft.ML;
using MLNet.AdamW.Samples;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Sweeps.Tests;

/// <summary>Small, fast studies on the shipped penguins: a tiny network, few epochs.</summary>
internal static class Penguins
{
    /// <summary>The sex task's options (the search-space tests only build spaces over them).</summary>
    public static AdamWBinaryTrainer.Options Tiny() => new()
    {
        LabelColumnName = nameof(Penguin.IsMale),
        Network = new MlpNetworkOptions { HiddenLayers = [8] },
        NumberOfEpochs = 2,
    };

    /// <summary>The species task, which a 16-unit network learns in a few epochs.</summary>
    public static AdamWMulticlassTrainer.Options TinySpecies() => new()
    {
        Network = new MlpNetworkOptions { HiddenLayers = [16] },
        NumberOfEpochs = 3,
        BatchSize = 16,
    };

    public static IDataView All(MLContext ml) => ml.Data.LoadFromEnumerable(Datasets.Penguins());

    public static IEstimator<ITransformer> SpeciesFeatures(MLContext ml) =>
        Featurization.PenguinFeatures(ml).Append(ml.Transforms.Conversion.MapValueToKey("Label", nameof(Penguin.Species)));

    public static SweepObjective<AdamWMulticlassTrainer.Options> Objective(MLContext ml, SweepEvaluation? evaluation = null, IDataView? data = null, string metric = "macro-accuracy") =>
        new(ml, data ?? All(ml), SweepMetric.Parse(metric, TrainingTask.MulticlassClassification), SpeciesFeatures(ml), evaluation ?? SweepEvaluation.Holdout(0.3));
}
