using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.AdamW;

/// <summary>
/// Adds the AdamW trainers to ML.NET's catalogs: <c>mlContext.BinaryClassification.Trainers.AdamW(...)</c>,
/// <c>mlContext.MulticlassClassification.Trainers.AdamW(...)</c> and <c>mlContext.Regression.Trainers.AdamW(...)</c>.
/// </summary>
public static class AdamWCatalog
{
    /// <summary>A neural-network binary classifier trained with AdamW (or the given weight-decay mode).</summary>
    /// <param name="catalog">The binary classification trainer catalog.</param>
    /// <param name="labelColumnName">The label column (Boolean).</param>
    /// <param name="featureColumnName">The feature column (known-size vector of Single).</param>
    /// <param name="exampleWeightColumnName">An optional Single weight column.</param>
    /// <param name="learningRate">The learning rate α (default 1e-2).</param>
    /// <param name="weightDecay">The weight decay λ (default 3e-2).</param>
    /// <param name="weightDecayMode">How λ enters each step (default Decoupled = AdamW).</param>
    /// <param name="numberOfEpochs">Passes over the data (default 20).</param>
    /// <example><code>
    /// var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
    ///     .Append(ml.BinaryClassification.Trainers.AdamW(learningRate: 1e-3, weightDecay: 1e-2));
    /// </code></example>
    public static AdamWBinaryTrainer AdamW(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null, double learningRate = AdamWTrainerDefaults.LearningRate,
        double weightDecay = AdamWTrainerDefaults.WeightDecay, WeightDecayMode weightDecayMode = AdamWTrainerDefaults.WeightDecayMode,
        int numberOfEpochs = AdamWTrainerDefaults.BinaryNumberOfEpochs) =>
        AdamW(catalog, new AdamWBinaryTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, ExampleWeightColumnName = exampleWeightColumnName,
            LearningRate = learningRate, WeightDecay = weightDecay, WeightDecayMode = weightDecayMode, NumberOfEpochs = numberOfEpochs,
        });

    /// <summary>A neural-network binary classifier with every option.</summary>
    public static AdamWBinaryTrainer AdamW(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, AdamWBinaryTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AdamWBinaryTrainer(catalog.GetEnvironment(), options);
    }

    /// <summary>A neural-network multiclass classifier trained with AdamW (or the given weight-decay mode).</summary>
    /// <param name="catalog">The multiclass classification trainer catalog.</param>
    /// <param name="labelColumnName">The label column (a key: add MapValueToKey).</param>
    /// <param name="featureColumnName">The feature column (known-size vector of Single).</param>
    /// <param name="exampleWeightColumnName">An optional Single weight column.</param>
    /// <param name="learningRate">The learning rate α (default 1e-2).</param>
    /// <param name="weightDecay">The weight decay λ (default 3e-2).</param>
    /// <param name="weightDecayMode">How λ enters each step (default Decoupled = AdamW).</param>
    /// <param name="numberOfEpochs">Passes over the data (default 100).</param>
    public static AdamWMulticlassTrainer AdamW(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null, double learningRate = AdamWTrainerDefaults.LearningRate,
        double weightDecay = AdamWTrainerDefaults.WeightDecay, WeightDecayMode weightDecayMode = AdamWTrainerDefaults.WeightDecayMode,
        int numberOfEpochs = AdamWTrainerDefaults.MulticlassNumberOfEpochs) =>
        AdamW(catalog, new AdamWMulticlassTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, ExampleWeightColumnName = exampleWeightColumnName,
            LearningRate = learningRate, WeightDecay = weightDecay, WeightDecayMode = weightDecayMode, NumberOfEpochs = numberOfEpochs,
        });

    /// <summary>A neural-network multiclass classifier with every option.</summary>
    public static AdamWMulticlassTrainer AdamW(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, AdamWMulticlassTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AdamWMulticlassTrainer(catalog.GetEnvironment(), options);
    }

    /// <summary>A neural-network regression trained with AdamW (or the given weight-decay mode).</summary>
    /// <param name="catalog">The regression trainer catalog.</param>
    /// <param name="labelColumnName">The label column (Single).</param>
    /// <param name="featureColumnName">The feature column (known-size vector of Single).</param>
    /// <param name="exampleWeightColumnName">An optional Single weight column.</param>
    /// <param name="learningRate">The learning rate α (default 1e-2).</param>
    /// <param name="weightDecay">The weight decay λ (default 3e-2).</param>
    /// <param name="weightDecayMode">How λ enters each step (default Decoupled = AdamW).</param>
    /// <param name="numberOfEpochs">Passes over the data (default 100).</param>
    public static AdamWRegressionTrainer AdamW(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null, double learningRate = AdamWTrainerDefaults.LearningRate,
        double weightDecay = AdamWTrainerDefaults.WeightDecay, WeightDecayMode weightDecayMode = AdamWTrainerDefaults.WeightDecayMode,
        int numberOfEpochs = AdamWTrainerDefaults.RegressionNumberOfEpochs) =>
        AdamW(catalog, new AdamWRegressionTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, ExampleWeightColumnName = exampleWeightColumnName,
            LearningRate = learningRate, WeightDecay = weightDecay, WeightDecayMode = weightDecayMode, NumberOfEpochs = numberOfEpochs,
        });

    /// <summary>A neural-network regression with every option.</summary>
    public static AdamWRegressionTrainer AdamW(this RegressionCatalog.RegressionTrainers catalog, AdamWRegressionTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AdamWRegressionTrainer(catalog.GetEnvironment(), options);
    }
}
