using System.Globalization;
using System.Text;

namespace MLNet.AdamW.Data;

/// <summary>
/// Rows of a data view that are not used for training, by reason. A row is counted once, under the
/// first reason that applies, in the order of the members.
/// </summary>
/// <param name="MissingLabel">Rows whose label is missing: NaN or ±∞ for a Single label, key value 0 for a key.</param>
/// <param name="NonFiniteFeature">Rows with a NaN or ±∞ among their features.</param>
/// <param name="BadWeight">Rows whose weight is NaN, ±∞ or negative.</param>
/// <param name="ZeroWeight">Rows whose weight is 0: they cannot influence training, so they are left out.</param>
internal readonly record struct SkippedRowCounts(int MissingLabel, int NonFiniteFeature, int BadWeight, int ZeroWeight)
{
    /// <summary>All rows left out.</summary>
    public int Total => MissingLabel + NonFiniteFeature + BadWeight + ZeroWeight;

    /// <summary>E.g. "2 with a missing label in 'Label', 1 with a non-finite value in 'Features'"; empty when none.</summary>
    public string Describe(string labelColumn, string featureColumn, string? weightColumn)
    {
        var parts = new List<string>(4);
        if (MissingLabel > 0)
            parts.Add(Invariant($"{MissingLabel} with a missing label in '{labelColumn}'"));
        if (NonFiniteFeature > 0)
            parts.Add(Invariant($"{NonFiniteFeature} with a non-finite value (NaN or ±∞) in '{featureColumn}'"));
        if (BadWeight > 0)
            parts.Add(Invariant($"{BadWeight} with a non-finite or negative weight in '{weightColumn}'"));
        if (ZeroWeight > 0)
            parts.Add(Invariant($"{ZeroWeight} with weight 0 in '{weightColumn}'"));
        return new StringBuilder().AppendJoin(", ", parts).ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
