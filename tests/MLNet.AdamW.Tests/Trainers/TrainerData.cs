using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Samples;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// The shipped data sets featurized for the trainer tests ("Features" standardized, "Label" of the
/// task's type), small fast options, and readers that turn a column into comparable values.
/// </summary>
internal static class TrainerData
{
    /// <summary>Four measurements and the island one-hot (3).</summary>
    public const int PenguinFeatureCount = 7;

    /// <summary>Six measurements and the origin one-hot (3).</summary>
    public const int CarFeatureCount = 9;

    private static readonly Lazy<IReadOnlyList<Penguin>> s_penguins = new(Datasets.Penguins);
    private static readonly Lazy<IReadOnlyList<Car>> s_cars = new(Datasets.Cars);

    public static IReadOnlyList<Penguin> Penguins => s_penguins.Value;

    public static IReadOnlyList<Car> Cars => s_cars.Value;

    /// <summary>All 344 penguins: Features, and Label = a key of the species with the species names as key values.</summary>
    public static IDataView PenguinSpecies(MLContext ml)
    {
        var raw = ml.Data.LoadFromEnumerable(Penguins);
        return Featurization.PenguinFeatures(ml)
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", nameof(Penguin.Species)))
            .Fit(raw).Transform(raw);
    }

    /// <summary>The 333 penguins of known sex: Features, and Label = IsMale (Boolean).</summary>
    public static IDataView PenguinSex(MLContext ml)
    {
        var raw = Featurization.PenguinSex(ml);
        return Featurization.PenguinFeatures(ml)
            .Append(ml.Transforms.CopyColumns("Label", nameof(Penguin.IsMale)))
            .Fit(raw).Transform(raw);
    }

    /// <summary>All 406 cars: Features, and Label = miles per gallon (NaN for 8 cars, which the trainers skip).</summary>
    public static IDataView CarMileage(MLContext ml)
    {
        var raw = ml.Data.LoadFromEnumerable(Cars);
        return Featurization.CarFeatures(ml).Fit(raw).Transform(raw);
    }

    /// <summary>
    /// Small and quick: one hidden layer of 16, 20 epochs (a few ms each on these data sets), a fixed
    /// seed, and one libtorch thread, which keeps the time steady when other work loads the cores.
    /// </summary>
    public static T Quick<T>(int epochs = 20, int seed = 1)
        where T : AdamWTrainerOptions, new() =>
        new() { Network = new MlpNetworkOptions { HiddenLayers = [16] }, NumberOfEpochs = epochs, Seed = seed, NumberOfThreads = 1 };

    /// <summary>The "Features" column of every row.</summary>
    public static float[][] FeatureRows(IDataView data, string column = "Features")
    {
        var rows = new List<float[]>();
        var col = data.Schema[column];
        using var cursor = data.GetRowCursor([col]);
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows.Add(value.DenseValues().ToArray());
        }
        return [.. rows];
    }

    /// <summary>A Single or vector-of-Single column as rows of floats.</summary>
    public static float[][] Scores(IDataView data, string column = "Score")
    {
        var col = data.Schema[column];
        if (col.Type is VectorDataViewType)
            return FeatureRows(data, column);
        return data.GetColumn<float>(column).Select(v => new[] { v }).ToArray();
    }

    /// <summary>
    /// Every value of a column as text that is equal only for identical values: floats by their bits,
    /// vectors slot by slot. Handles the types our trainers and ML.NET's scorers output.
    /// </summary>
    public static List<string> Values(IDataView data, string column)
    {
        var col = data.Schema[column];
        using var cursor = data.GetRowCursor([col]);
        var read = Reader(cursor, col);
        var values = new List<string>();
        while (cursor.MoveNext())
            values.Add(read());
        return values;
    }

    private static Func<string> Reader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(float))
        {
            var getter = cursor.GetGetter<float>(column);
            float v = 0;
            return () => { getter(ref v); return Bits(v); };
        }
        if (raw == typeof(bool))
        {
            var getter = cursor.GetGetter<bool>(column);
            var v = false;
            return () => { getter(ref v); return v ? "true" : "false"; };
        }
        if (raw == typeof(uint))
        {
            var getter = cursor.GetGetter<uint>(column);
            uint v = 0;
            return () => { getter(ref v); return v.ToString(System.Globalization.CultureInfo.InvariantCulture); };
        }
        if (raw == typeof(VBuffer<float>))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> v = default;
            return () => { getter(ref v); return string.Join(' ', v.DenseValues().Select(Bits)); };
        }
        if (raw == typeof(ReadOnlyMemory<char>))
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> v = default;
            return () => { getter(ref v); return v.ToString(); };
        }
        throw new NotSupportedException($"Column '{column.Name}' of type {column.Type} is not compared by these tests.");
    }

    private static string Bits(float v) => BitConverter.SingleToInt32Bits(v).ToString("X8", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A temporary file path that the caller deletes.</summary>
    public static string TempPath(string extension = ".zip") => Path.Combine(Path.GetTempPath(), $"mlnet-adamw-{Guid.NewGuid():N}{extension}");
}
