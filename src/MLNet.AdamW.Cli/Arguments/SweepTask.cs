using MLNet.AdamW;

namespace MLNet.AdamW.Cli.Arguments;

/// <summary>What <c>--task</c> names: the kind of label, the trainer and its metrics.</summary>
internal enum SweepTask
{
    BinaryClassification,
    MulticlassClassification,
    Regression,
}

/// <summary>The command-line spellings of <see cref="SweepTask"/> and what each task trains.</summary>
internal static class SweepTasks
{
    public static readonly IReadOnlyDictionary<string, SweepTask> ByName = new Dictionary<string, SweepTask>(StringComparer.OrdinalIgnoreCase)
    {
        ["binary-classification"] = SweepTask.BinaryClassification,
        ["multiclass-classification"] = SweepTask.MulticlassClassification,
        ["regression"] = SweepTask.Regression,
    };

    public static string Name(this SweepTask task) => ByName.First(p => p.Value == task).Key;

    /// <summary>The trainer's options type, whose properties <c>--set</c> names.</summary>
    public static Type OptionsType(this SweepTask task) => task switch
    {
        SweepTask.BinaryClassification => typeof(AdamWBinaryTrainer.Options),
        SweepTask.MulticlassClassification => typeof(AdamWMulticlassTrainer.Options),
        _ => typeof(AdamWRegressionTrainer.Options),
    };
}
