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
    /// <param name="learningRate">The learning rate α; null for the options' default (<see cref="AdamWTrainerDefaults.LearningRate"/>).</param>
    /// <param name="weightDecay">The weight decay λ; null for the default of the chosen mode: 0 with <see cref="WeightDecayMode.None"/>, otherwise <see cref="AdamWTrainerDefaults.WeightDecay"/>.</param>
    /// <param name="weightDecayMode">How λ enters each step; null for the default, <see cref="WeightDecayMode.Decoupled"/> (AdamW).</param>
    /// <param name="numberOfEpochs">Passes over the data; null for the default (<see cref="AdamWTrainerDefaults.BinaryNumberOfEpochs"/>).</param>
    /// <example><code>
    /// var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
    ///     .Append(ml.BinaryClassification.Trainers.AdamW(learningRate: 1e-3, weightDecay: 1e-2));
    /// </code></example>
    public static AdamWBinaryTrainer AdamW(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null, double? learningRate = null, double? weightDecay = null,
        WeightDecayMode? weightDecayMode = null, int? numberOfEpochs = null) =>
        AdamW(catalog, Simple<AdamWBinaryTrainer.Options>(labelColumnName, featureColumnName, exampleWeightColumnName,
            learningRate, weightDecay, weightDecayMode, numberOfEpochs));

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
    /// <param name="learningRate">The learning rate α; null for the options' default (<see cref="AdamWTrainerDefaults.LearningRate"/>).</param>
    /// <param name="weightDecay">The weight decay λ; null for the default of the chosen mode: 0 with <see cref="WeightDecayMode.None"/>, otherwise <see cref="AdamWTrainerDefaults.WeightDecay"/>.</param>
    /// <param name="weightDecayMode">How λ enters each step; null for the default, <see cref="WeightDecayMode.Decoupled"/> (AdamW).</param>
    /// <param name="numberOfEpochs">Passes over the data; null for the default (<see cref="AdamWTrainerDefaults.MulticlassNumberOfEpochs"/>).</param>
    public static AdamWMulticlassTrainer AdamW(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null, double? learningRate = null, double? weightDecay = null,
        WeightDecayMode? weightDecayMode = null, int? numberOfEpochs = null) =>
        AdamW(catalog, Simple<AdamWMulticlassTrainer.Options>(labelColumnName, featureColumnName, exampleWeightColumnName,
            learningRate, weightDecay, weightDecayMode, numberOfEpochs));

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
    /// <param name="learningRate">The learning rate α; null for the options' default (<see cref="AdamWTrainerDefaults.LearningRate"/>).</param>
    /// <param name="weightDecay">The weight decay λ; null for the default of the chosen mode: 0 with <see cref="WeightDecayMode.None"/>, otherwise <see cref="AdamWTrainerDefaults.WeightDecay"/>.</param>
    /// <param name="weightDecayMode">How λ enters each step; null for the default, <see cref="WeightDecayMode.Decoupled"/> (AdamW).</param>
    /// <param name="numberOfEpochs">Passes over the data; null for the default (<see cref="AdamWTrainerDefaults.RegressionNumberOfEpochs"/>).</param>
    public static AdamWRegressionTrainer AdamW(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = DefaultColumnNames.Label, string featureColumnName = DefaultColumnNames.Features,
        string? exampleWeightColumnName = null, double? learningRate = null, double? weightDecay = null,
        WeightDecayMode? weightDecayMode = null, int? numberOfEpochs = null) =>
        AdamW(catalog, Simple<AdamWRegressionTrainer.Options>(labelColumnName, featureColumnName, exampleWeightColumnName,
            learningRate, weightDecay, weightDecayMode, numberOfEpochs));

    /// <summary>A neural-network regression with every option.</summary>
    public static AdamWRegressionTrainer AdamW(this RegressionCatalog.RegressionTrainers catalog, AdamWRegressionTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new AdamWRegressionTrainer(catalog.GetEnvironment(), options);
    }

    // The simple overloads: a null hyperparameter keeps the options' default, as LightGbm's catalog does,
    // and λ's default follows the mode, so that weightDecayMode: None alone is a valid request.
    private static T Simple<T>(string labelColumnName, string featureColumnName, string? exampleWeightColumnName,
        double? learningRate, double? weightDecay, WeightDecayMode? weightDecayMode, int? numberOfEpochs)
        where T : AdamWTrainerOptions, new()
    {
        var options = new T { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, ExampleWeightColumnName = exampleWeightColumnName };
        options.LearningRate = learningRate ?? options.LearningRate;
        options.WeightDecayMode = weightDecayMode ?? options.WeightDecayMode;
        options.WeightDecay = weightDecay ?? (options.WeightDecayMode == WeightDecayMode.None ? 0 : options.WeightDecay);
        options.NumberOfEpochs = numberOfEpochs ?? options.NumberOfEpochs;
        return options;
    }
}
