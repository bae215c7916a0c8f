using System.Globalization;

namespace MLNet.AdamW.Sweeps.Storage.Tests;

/// <summary>Study definitions, trial specs and results for the store tests.</summary>
internal static class Studies
{
    public static StudyDefinition Definition(string name = "adamw-lr-wd") => new(
        name,
        """{"LearningRate":{"kind":"loguniform","low":0.0001,"high":0.1},"WeightDecay":{"kind":"choice","values":[0,0.01,0.1]}}""",
        "space-7f3a",
        "data-19c2",
        "AreaUnderRocCurve",
        true,
        """{"kind":"asha","minEpochs":1,"reductionFactor":3}""",
        42,
        "0.1.0");

    /// <summary>A spec that is a pure function of the number, with a value that needs all 17 digits.</summary>
    public static TrialSpec Spec(int number) => new(
        string.Create(CultureInfo.InvariantCulture, $$$"""{"LearningRate":{{{0.1 / (number + 3):R}}},"WeightDecay":0.01,"Network":{"Hidden":[64,32]}}"""),
        1000 + (7 * number),
        "0.1.0",
        "data-19c2");

    public static TrialResult Complete(double value) => new(
        TrialStatus.Complete, value, 0.0125, [value - 0.0125, value, value + 0.0125], 3, TimeSpan.FromTicks(12_345_678), null);
}
