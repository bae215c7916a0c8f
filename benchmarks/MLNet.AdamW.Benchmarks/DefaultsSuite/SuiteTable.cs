using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MLNet.AdamW.Benchmarks.DefaultsSuite;

/// <summary>
/// A suite CSV file read into ML.NET with one featurization for every set and trainer: the numeric
/// columns (every non-empty value parses as a number) become one vector, missing values replaced by
/// the column mean and standardized; every other column is one-hot encoded (a missing value is a row
/// of zeros); then everything is concatenated into "Features". Multiclass labels become keys.
/// </summary>
public sealed class SuiteTable
{
    private const string NumericColumn = "Numeric";

    private readonly SuiteDataSet _set;
    private readonly int[] _numeric;
    private readonly int[] _categorical;
    private readonly int _label;

    private SuiteTable(SuiteDataSet set, int rows, int[] numeric, int[] categorical, int label)
    {
        _set = set;
        RowCount = rows;
        _numeric = numeric;
        _categorical = categorical;
        _label = label;
    }

    /// <summary>The number of data rows.</summary>
    public int RowCount { get; }

    /// <summary>Whether some field of the file is empty.</summary>
    public bool HasMissing { get; private init; }

    /// <summary>"numeric", "categorical" or both, with column counts, e.g. "8 num + 3 cat, missing".</summary>
    public string Shape => string.Create(CultureInfo.InvariantCulture,
        $"{_numeric.Length} num{(_categorical.Length > 0 ? $" + {_categorical.Length} cat" : "")}{(HasMissing ? ", missing" : "")}");

    /// <summary>Reads the header and every row once to decide which columns are numeric.</summary>
    public static SuiteTable Open(SuiteDataSet set)
    {
        if (!File.Exists(set.File))
            throw new FileNotFoundException($"'{set.File}' is missing: run benchmarks/DefaultsSuite/export-data.sh once.", set.File);
        using var reader = new StreamReader(set.File);
        var header = SplitCsv(reader.ReadLine() ?? throw new InvalidDataException($"'{set.File}' is empty."));
        var label = Array.IndexOf(header, "Label");
        if (label < 0)
            throw new InvalidDataException($"'{set.File}' has no column \"Label\".");
        var numeric = Enumerable.Repeat(true, header.Length).ToArray();
        var rows = 0;
        var missing = false;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
                continue;
            var fields = SplitCsv(line);
            if (fields.Length != header.Length)
                throw new InvalidDataException($"'{set.File}', row {rows + 1}: {fields.Length} fields, the header has {header.Length}.");
            for (var i = 0; i < fields.Length; i++)
            {
                if (fields[i].Length == 0)
                    missing = true;
                else if (numeric[i] && !float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    numeric[i] = false;
            }
            rows++;
        }
        var features = Enumerable.Range(0, header.Length).Where(i => i != label).ToArray();
        return new SuiteTable(set, rows, features.Where(i => numeric[i]).ToArray(), features.Where(i => !numeric[i]).ToArray(), label)
        {
            HasMissing = missing,
        };
    }

    /// <summary>The whole file as an IDataView: "Label", "Numeric" (a vector) and one text column per categorical column.</summary>
    public IDataView Load(MLContext ml)
    {
        var labelKind = _set.Task switch
        {
            SuiteTask.Binary => DataKind.Boolean,
            SuiteTask.Multiclass => DataKind.String,
            _ => DataKind.Single,
        };
        var columns = new List<TextLoader.Column> { new("Label", labelKind, _label) };
        if (_numeric.Length > 0)
            columns.Add(new TextLoader.Column(NumericColumn, DataKind.Single, _numeric.Select(i => new TextLoader.Range(i)).ToArray()));
        columns.AddRange(_categorical.Select(i => new TextLoader.Column(Categorical(i), DataKind.String, i)));
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = [.. columns], HasHeader = true, Separators = [','], AllowQuoting = true, MissingRealsAsNaNs = true,
        });
        return loader.Load(_set.File);
    }

    /// <summary>The featurization described on the class; the label is a key for multiclass.</summary>
    public IEstimator<ITransformer> Featurize(MLContext ml)
    {
        IEstimator<ITransformer> pipeline = _set.Task == SuiteTask.Multiclass
            ? ml.Transforms.Conversion.MapValueToKey("Label")
            : new EstimatorChain<ITransformer>();
        var parts = new List<string>();
        if (_numeric.Length > 0)
        {
            pipeline = pipeline.Append(ml.Transforms.ReplaceMissingValues(NumericColumn, replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean));
            if (_set.Standardize)
                pipeline = pipeline.Append(ml.Transforms.NormalizeMeanVariance(NumericColumn));
            parts.Add(NumericColumn);
        }
        foreach (var i in _categorical)
        {
            pipeline = pipeline.Append(ml.Transforms.Categorical.OneHotEncoding(Categorical(i) + "OneHot", Categorical(i)));
            parts.Add(Categorical(i) + "OneHot");
        }
        return pipeline.Append(ml.Transforms.Concatenate("Features", [.. parts]));
    }

    /// <summary>The train/test split: 75/25 at random (seed 1), or the first <see cref="SuiteDataSet.TrainRows"/> rows to train.</summary>
    public (IDataView Train, IDataView Test) Split(MLContext ml)
    {
        var data = Load(ml);
        if (_set.TrainRows is { } first)
            return (ml.Data.TakeRows(data, first), ml.Data.SkipRows(data, first));
        var split = ml.Data.TrainTestSplit(data, 0.25, seed: 1);
        return (split.TrainSet, split.TestSet);
    }

    private static string Categorical(int index) => "C" + index.ToString(CultureInfo.InvariantCulture);

    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(ch);
            }
        }
        fields.Add(current.ToString());
        return [.. fields];
    }
}
