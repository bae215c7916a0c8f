namespace MLNet.AdamW.Sweeps;

/// <summary>What makes two study definitions the same study, for every store: the same comparison and message.</summary>
internal static class StudyDefinitions
{
    /// <summary>The names of the fields that differ (the library version may differ: a newer version may continue a study).</summary>
    public static string[] Differences(StudyDefinition stored, StudyDefinition asked)
    {
        var differences = new List<string>();
        if (stored.SearchSpaceFingerprint != asked.SearchSpaceFingerprint)
            differences.Add("search space");
        if (stored.DataFingerprint != asked.DataFingerprint)
            differences.Add("data");
        if (!string.Equals(stored.Metric, asked.Metric, StringComparison.Ordinal))
            differences.Add($"metric ({stored.Metric} stored, {asked.Metric} asked)");
        if (stored.Maximize != asked.Maximize)
            differences.Add("direction");
        if (!string.Equals(stored.StrategyJson, asked.StrategyJson, StringComparison.Ordinal))
            differences.Add($"strategy ({stored.StrategyJson} stored, {asked.StrategyJson} asked)");
        if (stored.Seed != asked.Seed)
            differences.Add($"seed ({stored.Seed} stored, {asked.Seed} asked)");
        return [.. differences];
    }

    public static string MismatchMessage(string name, IEnumerable<string> differences) =>
        $"The study \"{name}\" exists with a different {string.Join(", ", differences)}. Use another study name, or open it allowing the mismatch to mix trials.";
}
