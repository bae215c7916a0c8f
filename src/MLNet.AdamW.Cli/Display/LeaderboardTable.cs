using System.Globalization;
using MLNet.AdamW.Sweeps;

namespace MLNet.AdamW.Cli.Display;

/// <summary>
/// A study's leaderboard as a plain-text table for the console, best first: options that vary, numbers to
/// four significant digits (the CSV export keeps them exact).
/// </summary>
internal static class LeaderboardTable
{
    public static void Write(StudyResult result, TextWriter output, int top)
    {
        var rows = result.Leaderboard.Take(top).ToList();
        var options = result.Trials.SelectMany(t => t.Parameters.Select(p => p.Key)).Distinct()
            .Where(o => result.Trials.Select(t => Option(t, o)).Distinct().Count() > 1 || result.Trials.Count == 1).ToList();
        string[] header = ["rank", "trial", .. options, result.Metric, "epochs", "fit (s)", "status"];
        var cells = rows.Select((t, i) => (string[])
        [
            (i + 1).ToString(CultureInfo.InvariantCulture),
            t.Number.ToString(CultureInfo.InvariantCulture),
            .. options.Select(o => Short(Option(t, o))),
            t.ValueText,
            t.EpochsRun.ToString(CultureInfo.InvariantCulture),
            t.FitTime.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),
            Status(t),
        ]).ToList();
        var widths = header.Select((h, c) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(r => r[c].Length))).ToArray();
        // Numbers right-aligned, the option values and the status left-aligned.
        var left = header.Select((_, c) => c >= 2 && c < 2 + options.Count || c == header.Length - 1).ToArray();
        output.WriteLine(Line(header, widths, left));
        foreach (var row in cells)
            output.WriteLine(Line(row, widths, left));
        if (result.Trials.Count > rows.Count)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"({result.Trials.Count - rows.Count} more in the leaderboard files)"));
    }

    private static string Option(TrialSummary trial, string option) => trial.Parameters.FirstOrDefault(p => p.Key == option).Value ?? "";

    private static string Short(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && value.Length > 6
            ? number.ToString("G4", CultureInfo.InvariantCulture)
            : value;

    private static string Status(TrialSummary t) => t.Status switch
    {
        TrialStatus.Pruned => string.Create(CultureInfo.InvariantCulture, $"pruned at epoch {t.EpochsRun}"),
        TrialStatus.Failed => $"failed: {FirstLine(t.Error)}",
        _ => t.Status.ToString().ToLowerInvariant(),
    };

    private static string FirstLine(string? text) => text is null ? "" : text.Split('\n')[0].Trim() is { Length: > 60 } l ? l[..57] + "..." : text.Split('\n')[0].Trim();

    private static string Line(string[] cells, int[] widths, bool[] left) =>
        string.Join("  ", cells.Select((c, i) => left[i] ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
}
