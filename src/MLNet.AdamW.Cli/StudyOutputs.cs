using MLNet.AdamW.Cli.Arguments;
using MLNet.AdamW.Sweeps;

namespace MLNet.AdamW.Cli;

/// <summary>
/// What a sweep leaves in its output folder, through the library's exports: leaderboard.csv and
/// leaderboard.md (every trial, best first), heatmap.png and heatmap.svg (the metric over two numeric
/// options).
/// </summary>
internal static class StudyOutputs
{
    /// <summary>Writes both leaderboards and, when the study sweeps two numeric options, the heat map.</summary>
    public static void Write(StudyResult result, string directory, TextWriter output)
    {
        WriteLeaderboards(result, directory, output);
        var heatmap = WriteHeatmap(result, directory, null, null, required: false);
        output.WriteLine(heatmap.Count == 0 ? "Heat map: none (the study varies fewer than two numeric options)" : $"Heat map: {string.Join(", ", heatmap.Select(Shown))}");
    }

    /// <summary>A path as the user would type it: relative to the current folder when it is inside it.</summary>
    public static string Shown(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    public static void WriteLeaderboards(StudyResult result, string directory, TextWriter output)
    {
        Directory.CreateDirectory(directory);
        var csv = Path.Combine(directory, "leaderboard.csv");
        var markdown = Path.Combine(directory, "leaderboard.md");
        LeaderboardExport.Save(result, csv);
        LeaderboardExport.Save(result, markdown);
        output.WriteLine($"Leaderboard: {Shown(csv)}, {Shown(markdown)}");
    }

    /// <summary>
    /// Draws the heat map of <paramref name="x"/> × <paramref name="y"/> (by default LearningRate × WeightDecay
    /// when both are swept, else the first two numeric options); returns the files written, none when the
    /// study has no two numeric options and the map is not <paramref name="required"/>.
    /// </summary>
    public static IReadOnlyList<string> WriteHeatmap(StudyResult result, string directory, string? x, string? y, bool required)
    {
        var numeric = result.Trials.SelectMany(t => t.Parameters.Select(p => p.Key)).Distinct()
            .Where(o => result.Trials.Any(t => t.Numeric(o) is not null)).ToList();
        // By default only options that vary: a fixed one (NumberOfEpochs=9) would make a one-line map.
        var varying = numeric.Where(o => result.Trials.Select(t => t.Numeric(o)).Where(v => v is not null).Distinct().Count() > 1).ToList();
        string[] preferred = [nameof(AdamWTrainerOptions.LearningRate), nameof(AdamWTrainerOptions.WeightDecay)];
        var defaults = preferred.Where(varying.Contains).Concat(varying.Except(preferred)).ToList();
        x ??= defaults.FirstOrDefault(o => o != y);
        y ??= defaults.FirstOrDefault(o => o != x);
        if (x is null || y is null)
        {
            if (required)
                throw new CliUsageException(x is null ? "--x" : "--y", $"the study varies {(varying.Count == 0 ? "no numeric option" : $"one numeric option ({varying[0]})")}; a heat map needs two (name them with --x and --y).");
            return [];
        }
        foreach (var (flag, option) in new[] { ("--x", x), ("--y", y) })
        {
            if (!numeric.Contains(option))
                throw new CliUsageException(flag, $"{option} is not a numeric option of the study; its numeric options: {string.Join(", ", numeric)}.");
        }
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var extension in new[] { ".png", ".svg" })
        {
            var path = Path.Combine(directory, "heatmap" + extension);
            HeatMap.Save(result, x, y, path);
            written.Add(path);
        }
        return written;
    }
}
