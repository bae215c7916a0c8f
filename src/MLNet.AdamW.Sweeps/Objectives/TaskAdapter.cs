using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Sweeps;

/// <summary>What differs between the three tasks: which trainer an options type makes, and which evaluation reads its output.</summary>
internal static class TaskAdapter
{
    public static TrainingTask TaskOf(Type optionsType) =>
        optionsType == typeof(AdamWBinaryTrainer.Options) ? TrainingTask.BinaryClassification
        : optionsType == typeof(AdamWMulticlassTrainer.Options) ? TrainingTask.MulticlassClassification
        : optionsType == typeof(AdamWRegressionTrainer.Options) ? TrainingTask.Regression
        : throw new ArgumentException(
            $"Sweeps run the AdamW trainers: the options type must be {nameof(AdamWBinaryTrainer)}.Options, {nameof(AdamWMulticlassTrainer)}.Options or {nameof(AdamWRegressionTrainer)}.Options; got {optionsType.Name}.");

    public static IEstimator<ITransformer> Trainer(MLContext ml, AdamWTrainerOptions options) => options switch
    {
        AdamWBinaryTrainer.Options binary => ml.BinaryClassification.Trainers.AdamW(binary),
        AdamWMulticlassTrainer.Options multiclass => ml.MulticlassClassification.Trainers.AdamW(multiclass),
        AdamWRegressionTrainer.Options regression => ml.Regression.Trainers.AdamW(regression),
        _ => throw new ArgumentException($"Unsupported options type {options.GetType().Name}.", nameof(options)),
    };

    /// <summary>Trains on <paramref name="train"/>, with <paramref name="validation"/> as the trainer's per-epoch validation data.</summary>
    public static (ITransformer Model, TrainingHistory History) Fit(MLContext ml, AdamWTrainerOptions options, IDataView train, IDataView? validation)
    {
        switch (options)
        {
            case AdamWBinaryTrainer.Options binary:
            {
                var model = ml.BinaryClassification.Trainers.AdamW(binary).Fit(train, validation);
                return (model, model.Model.History);
            }
            case AdamWMulticlassTrainer.Options multiclass:
            {
                var model = ml.MulticlassClassification.Trainers.AdamW(multiclass).Fit(train, validation);
                return (model, model.Model.History);
            }
            case AdamWRegressionTrainer.Options regression:
            {
                var model = ml.Regression.Trainers.AdamW(regression).Fit(train, validation);
                return (model, model.Model.History);
            }
            default:
                throw new ArgumentException($"Unsupported options type {options.GetType().Name}.", nameof(options));
        }
    }

    /// <summary>ML.NET's metrics object of the task for scored data.</summary>
    public static object Evaluate(MLContext ml, TrainingTask task, IDataView scored, string labelColumnName) => task switch
    {
        TrainingTask.BinaryClassification => ml.BinaryClassification.Evaluate(scored, labelColumnName),
        TrainingTask.MulticlassClassification => ml.MulticlassClassification.Evaluate(scored, labelColumnName),
        TrainingTask.Regression => ml.Regression.Evaluate(scored, labelColumnName),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
    };
}
