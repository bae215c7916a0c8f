namespace MLNet.AdamW.Cli.Data;

/// <summary>What a CSV column becomes in the sweep's pipeline.</summary>
internal enum ColumnRole
{
    /// <summary>The label (<c>--label-col</c>).</summary>
    Label,

    /// <summary>Every value a number (or missing): a feature, missing values replaced by the column mean.</summary>
    Numeric,

    /// <summary>Text with few distinct values: one-hot encoded.</summary>
    Categorical,

    /// <summary>Left out: named by <c>--ignore-cols</c>, or text with too many distinct values to one-hot encode (an identifier, a date, free text).</summary>
    Ignored,
}

/// <summary>One column of the CSV file and what the inference made of it.</summary>
/// <param name="Index">0-based position in the file.</param>
/// <param name="Name">The header's name, or Column{Index} without a header.</param>
/// <param name="Role">Its role in the pipeline.</param>
/// <param name="IsNumeric">Whether every non-missing value parses as a number.</param>
/// <param name="DistinctValues">How many distinct non-missing values it has.</param>
/// <param name="Reason">Why it was left out, for <see cref="ColumnRole.Ignored"/>.</param>
internal sealed record InferredColumn(int Index, string Name, ColumnRole Role, bool IsNumeric, int DistinctValues, string? Reason = null);
