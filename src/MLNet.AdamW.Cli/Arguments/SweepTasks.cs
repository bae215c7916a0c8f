using MLNet.AdamW;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Cli.Arguments;

/// <summary>The command-line spellings of the tasks (<c>--task</c>) and the trainer options each one sweeps.</summary>
internal static class SweepTasks
{
    public static readonly IReadOnlyDictionary<string, TrainingTask> ByName = new Dictionary<string, TrainingTask>(StringComparer.OrdinalIgnoreCase)
    {
        ["binary-classification"] = TrainingTask.BinaryClassification,
        ["multiclass-classification"] = TrainingTask.MulticlassClassification,
        ["regression"] = TrainingTask.Regression,
    };

    public static string Name(this TrainingTask task) => ByName.First(p => p.Value == task).Key;

    /// <summary>The trainer's options type, whose properties <c>--set</c> names.</summary>
    public static Type OptionsType(this TrainingTask task) => task switch
    {
        TrainingTask.BinaryClassification => typeof(AdamWBinaryTrainer.Options),
        TrainingTask.MulticlassClassification => typeof(AdamWMulticlassTrainer.Options),
        _ => typeof(AdamWRegressionTrainer.Options),
    };
}
