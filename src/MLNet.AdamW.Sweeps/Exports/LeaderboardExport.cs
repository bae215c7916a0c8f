using System.Globalization;
using System.Text;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// A study's leaderboard as CSV (RFC 4180, invariant culture, exact numbers: for spreadsheets and scripts)
/// or as a Markdown table (for READMEs and reports). One row per trial, best first, with every swept option
/// as its own column.
/// </summary>
public static class LeaderboardExport
{
    /// <summary>The leaderboard as CSV: rank, trial, status, the metric (mean, std, per fold), each option, epochs, fit seconds, attempt, worker, seed, error.</summary>
    public static string ToCsv(StudyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = OptionNames(result);
        var text = new StringBuilder();
        var header = new List<string> { "rank", "trial", "status", result.Metric, $"{result.Metric}_std", $"{result.Metric}_folds" };
        header.AddRange(options);
        header.AddRange(["epochs", "fit_seconds", "attempt", "worker", "seed", "error"]);
        AppendCsvLine(text, header);
        var rank = 0;
        foreach (var trial in result.Leaderboard)
        {
            rank++;
            var parameters = trial.Parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var row = new List<string>
            {
                rank.ToString(CultureInfo.InvariantCulture), trial.Number.ToString(CultureInfo.InvariantCulture), trial.Status.ToString(),
                Number(trial.Value), Number(trial.StandardDeviation), string.Join(";", trial.FoldValues.Select(v => Number(v))),
            };
            row.AddRange(options.Select(o => parameters.GetValueOrDefault(o, "")));
            row.AddRange([
                trial.EpochsRun.ToString(CultureInfo.InvariantCulture), trial.FitTime.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
                trial.Attempt.ToString(CultureInfo.InvariantCulture), trial.Worker ?? "", trial.Seed.ToString(CultureInfo.InvariantCulture), trial.Error ?? "",
            ]);
            AppendCsvLine(text, row);
        }
        return text.ToString();
    }

    /// <summary>The leaderboard as a Markdown table, best first; <paramref name="top"/> rows at most (null for all).</summary>
    public static string ToMarkdown(StudyResult result, int? top = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = OptionNames(result);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Study **{Escape(result.Name)}**: {result.Trials.Count} trials — {result.Count(TrialStatus.Complete)} complete, ")
            .Append(CultureInfo.InvariantCulture, $"{result.Count(TrialStatus.Pruned)} pruned, {result.Count(TrialStatus.Failed)} failed; ")
            .Append(CultureInfo.InvariantCulture, $"{result.Metric} ({(result.Maximize ? "higher" : "lower")} is better), {result.EpochsTrained:N0} epochs trained.\n\n");
        var header = new List<string> { "rank", "trial", "status", result.Metric };
        header.AddRange(options);
        header.AddRange(["epochs", "fit (s)", "worker", "error"]);
        text.Append("| ").AppendJoin(" | ", header.Select(Escape)).Append(" |\n");
        text.Append('|').AppendJoin("|", header.Select((_, i) => i is 0 or 1 || i == 3 || i == header.Count - 4 || i == header.Count - 3 ? "---:" : "---")).Append("|\n");
        var rank = 0;
        foreach (var trial in result.Leaderboard.Take(top ?? int.MaxValue))
        {
            rank++;
            var parameters = trial.Parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var cells = new List<string>
            {
                rank.ToString(CultureInfo.InvariantCulture), trial.Number.ToString(CultureInfo.InvariantCulture),
                trial.Status.ToString().ToUpperInvariant(), trial.ValueText,
            };
            cells.AddRange(options.Select(o => parameters.GetValueOrDefault(o, "")));
            cells.AddRange([
                trial.EpochsRun.ToString(CultureInfo.InvariantCulture), trial.FitTime.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),
                trial.Worker ?? "", trial.Error ?? "",
            ]);
            text.Append("| ").AppendJoin(" | ", cells.Select(Escape)).Append(" |\n");
        }
        return text.ToString();
    }

    /// <summary>Writes <see cref="ToCsv"/> (a path ending in .csv) or <see cref="ToMarkdown"/> (.md) to a file, in UTF-8.</summary>
    public static void Save(StudyResult result, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        var text = extension switch
        {
            ".csv" => ToCsv(result),
            ".md" or ".markdown" => ToMarkdown(result),
            _ => throw new ArgumentException($"A leaderboard is saved as .csv or .md; \"{path}\" ends in \"{extension}\".", nameof(path)),
        };
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static List<string> OptionNames(StudyResult result) =>
        [.. result.Trials.SelectMany(t => t.Parameters.Select(p => p.Key)).Distinct(StringComparer.Ordinal)];

    private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    private static void AppendCsvLine(StringBuilder text, IEnumerable<string> fields)
    {
        text.AppendJoin(",", fields.Select(f => f.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{f.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : f));
        text.Append("\r\n");
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
