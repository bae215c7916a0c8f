using System.Globalization;
using System.Text.Json;
using MLNet.AdamW.Sweeps;

namespace PaperReproduction;

/// <summary>One trial as the reproduction reads it: its cell, seed, outcome and the heat-map value.</summary>
internal sealed record GridCell(int Number, double LearningRate, double WeightDecay, int Seed, TrialStatus Status, double? Accuracy,
    bool Diverged, string? Error, int Epochs, double FitSeconds)
{
    /// <summary>The paper's value for a run whose training loss became NaN (the trainers stop such a run as diverged).</summary>
    public const double DivergedValue = 1.1;

    /// <summary>1 − test accuracy; 1.1 when training diverged; null while unfinished or failed otherwise.</summary>
    public double? HeatValue => Diverged ? DivergedValue : Status == TrialStatus.Complete ? 1 - Accuracy : null;

    public string Outcome => Diverged ? "diverged (counts 1.1)"
        : HeatValue is { } v ? string.Create(CultureInfo.InvariantCulture, $"test error {100 * v:0.00} %")
        : Status == TrialStatus.Failed ? "failed: " + Error : Status.ToString().ToLowerInvariant();
}

/// <summary>Reads the cells of a study from the store's records.</summary>
internal static class GridCells
{
    public static IReadOnlyList<GridCell> Read(StudyResult result) => Read(result.Trials.Select(t => t.Record));

    public static IReadOnlyList<GridCell> Read(IEnumerable<TrialRecord> records) => [.. records.Select(record =>
    {
        using var parameters = JsonDocument.Parse(record.Spec.ParametersJson);
        var root = parameters.RootElement;
        var result = record.Result;
        var diverged = record.Status == TrialStatus.Failed && result?.Error is { } error && error.Contains("diverged", StringComparison.OrdinalIgnoreCase);
        return new GridCell(record.Number,
            root.TryGetProperty("LearningRate", out var a) ? a.GetDouble() : double.NaN,
            root.TryGetProperty("WeightDecay", out var l) ? l.GetDouble() : double.NaN,
            root.TryGetProperty("Seed", out var s) ? s.GetInt32() : record.Spec.Seed,
            record.Status, result?.Value, diverged, result?.Error, result?.EpochsRun ?? 0, result?.FitTime.TotalSeconds ?? 0);
    })];

    /// <summary>The cell with the smallest heat-map value (ties: the smaller α, then the smaller λ); null when none has one.</summary>
    public static GridCell? Best(IReadOnlyList<GridCell> cells) => cells.Where(c => c.HeatValue is not null)
        .OrderBy(c => c.HeatValue).ThenBy(c => c.LearningRate).ThenBy(c => c.WeightDecay).FirstOrDefault();
}
