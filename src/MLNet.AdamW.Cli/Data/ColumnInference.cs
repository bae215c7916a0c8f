using MLNet.AdamW.Training;
using System.Globalization;
using MLNet.AdamW.Cli.Arguments;

namespace MLNet.AdamW.Cli.Data;

/// <summary>
/// The columns of a CSV file as ML.NET's <c>mlnet</c> CLI infers them: numeric columns are features,
/// text columns with few distinct values are one-hot encoded, the label is found by name (or 0-based
/// index without a header), <c>--ignore-cols</c> are left out, and so are text columns with too many
/// distinct values to encode (more than <see cref="MaxCategories"/>, or more than half the rows).
/// </summary>
internal sealed class ColumnInference
{
    /// <summary>The most distinct values a text column may have and still be one-hot encoded.</summary>
    public const int MaxCategories = 1000;

    private static readonly HashSet<string> MissingMarkers = new(StringComparer.OrdinalIgnoreCase) { "", "?", "NA", "N/A", "NaN", "null" };

    private ColumnInference(IReadOnlyList<InferredColumn> columns, int rows, IReadOnlyList<string> labelValues, int missingLabels)
    {
        Columns = columns;
        Rows = rows;
        LabelValues = labelValues;
        MissingLabels = missingLabels;
    }

    /// <summary>Every column of the file, in order.</summary>
    public IReadOnlyList<InferredColumn> Columns { get; }

    /// <summary>Data rows read (the header not counted).</summary>
    public int Rows { get; }

    /// <summary>The label's distinct non-missing values, in ordinal order.</summary>
    public IReadOnlyList<string> LabelValues { get; }

    /// <summary>Rows whose label is missing (the trainers skip them).</summary>
    public int MissingLabels { get; }

    /// <summary>The label column.</summary>
    public InferredColumn Label => Columns.Single(c => c.Role == ColumnRole.Label);

    /// <summary>Whether a value stands for "missing" (empty, ?, NA, NaN, null).</summary>
    public static bool IsMissing(string value) => MissingMarkers.Contains(value);

    /// <summary>Reads the file and infers its columns for the task; a <see cref="CliUsageException"/> names the flag whose value does not fit the file.</summary>
    public static ColumnInference Infer(string path, char separator, bool hasHeader, string labelColumn, TrainingTask task, IReadOnlyCollection<string> ignoreColumns)
    {
        List<string[]> records;
        using (var reader = OpenDataset(path))
            records = [.. CsvReader.ReadRecords(reader, separator)];
        if (records.Count == 0)
            throw new CliUsageException("--dataset", $"{path} is empty.");

        var width = records[0].Length;
        var names = hasHeader ? records[0] : [.. Enumerable.Range(0, width).Select(i => $"Column{i}")];
        var rows = hasHeader ? records.Skip(1).ToList() : records;
        if (rows.Count == 0)
            throw new CliUsageException("--dataset", $"{path} has a header and no data rows.");
        var ragged = rows.FindIndex(r => r.Length != width);
        if (ragged >= 0)
            throw new CliUsageException("--separator", $"line {ragged + (hasHeader ? 2 : 1)} of {path} has {rows[ragged].Length} fields, the first line {width}; is '{separator}' the file's separator?");
        if (width < 2)
            throw new CliUsageException("--separator", $"{path} has a single column with separator '{separator}'; a label and at least one feature are needed.");

        var labelIndex = FindLabel(names, labelColumn, hasHeader);
        foreach (var ignored in ignoreColumns)
        {
            if (!names.Contains(ignored, StringComparer.Ordinal))
                throw new CliUsageException("--ignore-cols", $"'{ignored}' is not a column of {path}; columns: {string.Join(", ", names)}.");
            if (names[labelIndex] == ignored)
                throw new CliUsageException("--ignore-cols", $"'{ignored}' is the label column (--label-col).");
        }

        var columns = new List<InferredColumn>();
        for (var c = 0; c < width; c++)
        {
            var present = rows.Select(r => r[c]).Where(v => !IsMissing(v)).ToList();
            var numeric = present.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            var distinct = present.Distinct(StringComparer.Ordinal).Count();
            InferredColumn column;
            if (c == labelIndex)
                column = new(c, names[c], ColumnRole.Label, numeric, distinct);
            else if (ignoreColumns.Contains(names[c]))
                column = new(c, names[c], ColumnRole.Ignored, numeric, distinct, "--ignore-cols");
            else if (present.Count == 0)
                column = new(c, names[c], ColumnRole.Ignored, numeric, distinct, "no values");
            else if (numeric)
                column = new(c, names[c], ColumnRole.Numeric, numeric, distinct);
            else if (distinct > MaxCategories || (rows.Count >= 10 && distinct > rows.Count / 2))
                column = new(c, names[c], ColumnRole.Ignored, numeric, distinct, $"text with {distinct} distinct values in {rows.Count} rows, too many to one-hot encode");
            else
                column = new(c, names[c], ColumnRole.Categorical, numeric, distinct);
            columns.Add(column);
        }
        if (!columns.Any(c => c.Role is ColumnRole.Numeric or ColumnRole.Categorical))
            throw new CliUsageException("--ignore-cols", $"no feature column is left in {path} besides the label {names[labelIndex]}.");

        var labels = rows.Select(r => r[labelIndex]).ToList();
        var labelValues = labels.Where(v => !IsMissing(v)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var inference = new ColumnInference(columns, rows.Count, labelValues, labels.Count(IsMissing));
        inference.CheckLabel(task, labelColumn);
        return inference;
    }

    private static StreamReader OpenDataset(string path)
    {
        try
        {
            return new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException("--dataset", $"cannot read {path}: {e.Message}", e);
        }
    }

    private static int FindLabel(string[] names, string labelColumn, bool hasHeader)
    {
        var index = Array.IndexOf(names, labelColumn);
        if (index >= 0)
            return index;
        if (!hasHeader && int.TryParse(labelColumn, NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position < names.Length)
            return position;
        var hint = hasHeader ? "" : " The file is read without a header (add --has-header if its first line names the columns), so columns are named Column0, Column1, … or given by 0-based index.";
        throw new CliUsageException("--label-col", $"the label column '{labelColumn}' is not in the file; columns: {string.Join(", ", names)}.{hint}");
    }

    private void CheckLabel(TrainingTask task, string labelColumn)
    {
        var label = Label;
        if (LabelValues.Count == 0)
            throw new CliUsageException("--label-col", $"the label column '{labelColumn}' has no values.");
        switch (task)
        {
            case TrainingTask.Regression when !label.IsNumeric:
                throw new CliUsageException("--label-col", $"regression needs a numeric label; '{labelColumn}' holds text such as '{LabelValues[0]}'. Did you mean --task multiclass-classification?");
            case TrainingTask.BinaryClassification when LabelValues.Count != 2:
                throw new CliUsageException("--label-col", $"binary classification needs a label with two values; '{labelColumn}' has {LabelValues.Count} ({string.Join(", ", LabelValues.Take(5))}{(LabelValues.Count > 5 ? ", …" : "")}). Use --task {(LabelValues.Count > 2 ? "multiclass-classification" : "regression")}.");
            case TrainingTask.MulticlassClassification when LabelValues.Count < 2:
                throw new CliUsageException("--label-col", $"multiclass classification needs at least two label values; '{labelColumn}' has one ({LabelValues[0]}).");
        }
    }
}
