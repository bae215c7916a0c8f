using MLNet.AdamW.Training;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.AdamW.Cli.Arguments;

namespace MLNet.AdamW.Cli.Data;

/// <summary>
/// A CSV file made ready to sweep: ML.NET's TextLoader over the inferred columns, the training data with
/// the label as the task's trainer wants it (Boolean, key or Single, in a column named "Label"; rows
/// without a label left out), and the featurization every trial's pipeline starts with.
/// </summary>
internal sealed class SweepDataset
{
    /// <summary>The column the trainers read the label from.</summary>
    public const string LabelColumn = "Label";

    /// <summary>The column the featurization writes and the trainers read.</summary>
    public const string FeaturesColumn = "Features";

    private const string LabelPresentColumn = "__LabelPresent";

    private SweepDataset(MLContext ml, ColumnInference columns, TrainingTask task, TextLoader loader, IDataView data, string? positiveLabel)
    {
        Context = ml;
        Columns = columns;
        Task = task;
        Loader = loader;
        Data = data;
        PositiveLabel = positiveLabel;
    }

    public MLContext Context { get; }

    public ColumnInference Columns { get; }

    public TrainingTask Task { get; }

    /// <summary>Reads the CSV file's columns as inferred (saved with the best model, so the model reads the same files).</summary>
    public TextLoader Loader { get; }

    /// <summary>The rows to sweep on, with the label column as the trainer wants it.</summary>
    public IDataView Data { get; }

    /// <summary>For binary classification: the label value read as true.</summary>
    public string? PositiveLabel { get; }

    /// <summary>Infers the file's columns and loads it; a <see cref="CliUsageException"/> names the flag whose value does not fit the file.</summary>
    public static SweepDataset Load(MLContext ml, string path, char separator, bool hasHeader, string labelColumn, TrainingTask task, IReadOnlyCollection<string> ignoreColumns)
    {
        var columns = ColumnInference.Infer(path, separator, hasHeader, labelColumn, task, ignoreColumns);
        var label = columns.Label;
        var loaded = columns.Columns.Where(c => c.Role != ColumnRole.Ignored)
            .Select(c => new TextLoader.Column(c.Name, c.Role == ColumnRole.Numeric || (c.Role == ColumnRole.Label && task == TrainingTask.Regression) ? DataKind.Single : DataKind.String, c.Index))
            .ToArray();
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = loaded,
            Separators = [separator],
            HasHeader = hasHeader,
            AllowQuoting = true,
            TrimWhitespace = true,
            MissingRealsAsNaNs = true,
        });
        var raw = loader.Load(path);

        string? positive = null;
        IDataView data;
        if (task == TrainingTask.Regression)
        {
            data = ml.Data.FilterRowsByMissingValues(ml.Transforms.CopyColumns(LabelColumn, label.Name).Fit(raw).Transform(raw), LabelColumn);
        }
        else
        {
            // The label's missing markers map to NaN, every class to a number: rows without a label drop out before the label is converted.
            var present = ml.Transforms.Conversion.MapValue(LabelPresentColumn,
                    columns.LabelValues.Select(v => new KeyValuePair<string, float>(v, 0f))
                        .Concat(MissingMarkersIn(raw, label.Name).Select(m => new KeyValuePair<string, float>(m, float.NaN))),
                    label.Name)
                .Fit(raw).Transform(raw);
            var filtered = ml.Data.FilterRowsByMissingValues(present, LabelPresentColumn);
            if (task == TrainingTask.BinaryClassification)
            {
                positive = PositiveOf(columns.LabelValues);
                var map = columns.LabelValues.Select(v => new KeyValuePair<string, bool>(v, v == positive));
                data = ml.Transforms.Conversion.MapValue(LabelColumn, map, label.Name).Fit(filtered).Transform(filtered);
            }
            else
            {
                var keys = ml.Data.LoadFromEnumerable(columns.LabelValues.Select(v => new LabelValue { Value = v }));
                data = ml.Transforms.Conversion.MapValueToKey(LabelColumn, label.Name, keyData: keys).Fit(filtered).Transform(filtered);
            }
        }
        return new SweepDataset(ml, columns, task, loader, data, positive);
    }

    /// <summary>
    /// The featurization at the head of every trial's pipeline: missing numbers replaced by the column
    /// mean, text one-hot encoded, everything concatenated into "Features" and standardized (the
    /// trainers want standardized features).
    /// </summary>
    public IEstimator<ITransformer> Featurizer()
    {
        var numeric = Columns.Columns.Where(c => c.Role == ColumnRole.Numeric).Select(c => c.Name).ToArray();
        var categorical = Columns.Columns.Where(c => c.Role == ColumnRole.Categorical).Select(c => c.Name).ToArray();
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        if (numeric.Length > 0)
            chain = chain.Append(Context.Transforms.ReplaceMissingValues([.. numeric.Select(n => new InputOutputColumnPair(n))], MissingValueReplacingEstimator.ReplacementMode.Mean));
        if (categorical.Length > 0)
            chain = chain.Append(Context.Transforms.Categorical.OneHotEncoding([.. categorical.Select(n => new InputOutputColumnPair(n))]));
        return chain
            .Append(Context.Transforms.Concatenate(FeaturesColumn, [.. numeric, .. categorical]))
            .Append(Context.Transforms.NormalizeMeanVariance(FeaturesColumn));
    }

    /// <summary>What follows the trainer in a trial's pipeline: for multiclass, the predicted key turned back into the label's text.</summary>
    public IEstimator<ITransformer>? Postprocessing() =>
        Task == TrainingTask.MulticlassClassification ? Context.Transforms.Conversion.MapKeyToValue("PredictedLabel") : null;

    /// <summary>One line per column: what the inference made of it.</summary>
    public IEnumerable<string> Describe()
    {
        foreach (var c in Columns.Columns)
        {
            yield return c.Role switch
            {
                ColumnRole.Label => $"{c.Name}: label ({LabelDescription()})",
                ColumnRole.Numeric => $"{c.Name}: numeric feature",
                ColumnRole.Categorical => $"{c.Name}: text, one-hot ({c.DistinctValues} values)",
                _ => $"{c.Name}: left out ({c.Reason})",
            };
        }
    }

    private string LabelDescription()
    {
        var missing = Columns.MissingLabels > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {Columns.MissingLabels} rows without a label left out") : "";
        return Task switch
        {
            TrainingTask.BinaryClassification => $"'{PositiveLabel}' is true, '{Columns.LabelValues.First(v => v != PositiveLabel)}' false{missing}",
            TrainingTask.MulticlassClassification => string.Create(CultureInfo.InvariantCulture, $"{Columns.LabelValues.Count} classes{missing}"),
            _ => $"numeric{missing}",
        };
    }

    /// <summary>
    /// Which of a binary label's two values is true: the larger number, the one that reads as true / yes /
    /// positive, else the second in ordinal order.
    /// </summary>
    internal static string PositiveOf(IReadOnlyList<string> values)
    {
        if (values.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            return values.MaxBy(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture))!;
        string[] positives = ["true", "yes", "positive", "y", "t"];
        return values.FirstOrDefault(v => positives.Contains(v, StringComparer.OrdinalIgnoreCase)) ?? values[1];
    }

    private static List<string> MissingMarkersIn(IDataView raw, string column)
    {
        var markers = new HashSet<string>(StringComparer.Ordinal);
        using var cursor = raw.GetRowCursor([raw.Schema[column]]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(raw.Schema[column]);
        var value = default(ReadOnlyMemory<char>);
        while (cursor.MoveNext())
        {
            getter(ref value);
            var text = value.ToString();
            if (ColumnInference.IsMissing(text))
                markers.Add(text);
        }
        return [.. markers];
    }

    private sealed class LabelValue
    {
        public string Value { get; set; } = "";
    }
}
