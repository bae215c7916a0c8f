using System.Globalization;
using System.Text.Json;

namespace MLNet.AdamW.Sweeps;

/// <summary>One leaderboard row: a trial's options, metric, cost, status, worker and error.</summary>
public sealed class TrialSummary
{
    internal TrialSummary(TrialRecord record)
    {
        Record = record;
        var parameters = new List<KeyValuePair<string, string>>();
        var numbers = new Dictionary<string, double>(StringComparer.Ordinal);
        using (var document = JsonDocument.Parse(record.Spec.ParametersJson))
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value;
                parameters.Add(new(property.Name, value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()));
                if (value.ValueKind == JsonValueKind.Number)
                    numbers[property.Name] = value.GetDouble();
            }
        }
        Parameters = parameters;
        _numbers = numbers;
    }

    private readonly Dictionary<string, double> _numbers;

    /// <summary>The record the store holds.</summary>
    public TrialRecord Record { get; }

    /// <summary>The trial number, from 0.</summary>
    public int Number => Record.Number;

    /// <summary>Where it stands.</summary>
    public TrialStatus Status => Record.Status;

    /// <summary>The swept options' values as text (JSON for numbers and objects, the name for an enum), in the space's order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; }

    /// <summary>The swept options' values as the store keeps them (exact JSON).</summary>
    public string ParametersJson => Record.Spec.ParametersJson;

    /// <summary>The trial's training seed.</summary>
    public int Seed => Record.Spec.Seed;

    /// <summary>The metric (mean over the folds run); null unless complete or pruned.</summary>
    public double? Value => Record.Result?.Value;

    /// <summary>The standard deviation of the metric over the folds (n − 1 in the denominator; 0 for one fold).</summary>
    public double? StandardDeviation => Record.Result?.StandardDeviation;

    /// <summary>The metric of each fold run.</summary>
    public IReadOnlyList<double> FoldValues => Record.Result?.FoldValues ?? [];

    /// <summary>Epochs trained (on the last fold run; where a pruned trial stopped).</summary>
    public int EpochsRun => Record.Result?.EpochsRun ?? Record.Intermediate.Count;

    /// <summary>Wall time of the trial's training and evaluation.</summary>
    public TimeSpan FitTime => Record.Result?.FitTime ?? TimeSpan.Zero;

    /// <summary>The worker that ran it last.</summary>
    public string? Worker => Record.Worker;

    /// <summary>The error text of a failed trial.</summary>
    public string? Error => Record.Result?.Error;

    /// <summary>How many times it was claimed.</summary>
    public int Attempt => Record.Attempt;

    /// <summary>Whether it failed because training diverged (a loss that was not finite or exploded).</summary>
    public bool Diverged => Status == TrialStatus.Failed && Error is { } error && error.Contains("diverged", StringComparison.OrdinalIgnoreCase);

    /// <summary>A numeric option's value, or null when the option is not swept or not a number.</summary>
    public double? Numeric(string option) => _numbers.TryGetValue(option, out var value) ? value : null;

    /// <summary>The metric as "mean ± std" (invariant culture), or the status when there is none.</summary>
    public string ValueText => Value is { } v
        ? (FoldValues.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $"{v:G5} ± {StandardDeviation ?? 0:G3}") : v.ToString("G5", CultureInfo.InvariantCulture))
        : "—";

    /// <inheritdoc />
    public override string ToString() =>
        $"#{Number} {Status} {string.Join(" ", Parameters.Select(p => $"{p.Key}={p.Value}"))} {ValueText}";
}
