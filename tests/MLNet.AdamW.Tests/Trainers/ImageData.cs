using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// Small image data for the convolutional networks: 1×8×8 images of a horizontal or a vertical bar
/// of ones at a random position plus uniform noise in ±0.3, as "Features" (a flat vector of 64) and
/// "Label" of each task's type; and small, quick network options.
/// </summary>
internal static class ImageData
{
    public static readonly ImageShape Shape = new(1, 8, 8);

    public const int FeatureCount = 64;

    private sealed class Row
    {
        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];

        public bool Vertical { get; set; }

        public string Direction { get; set; } = "";

        public float Position { get; set; }
    }

    /// <summary>The networks the image tests run, by name: "cnn", "cnn-bn", "resnet", "resnet-bn", "resnet-projection".</summary>
    public static NetworkOptions Network(string name) => name switch
    {
        "cnn" => new ConvNetNetworkOptions { Widths = [4, 8], BatchNorm = false },
        "cnn-bn" => new ConvNetNetworkOptions { Widths = [4, 8] },
        "resnet" => new ResNetNetworkOptions { Depth = 8, Width = 4, BatchNorm = false },
        "resnet-bn" => new ResNetNetworkOptions { Depth = 8, Width = 4 },
        "resnet-projection" => new ResNetNetworkOptions { Depth = 8, Width = 4, ProjectionShortcuts = true },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown test network"),
    };

    /// <summary>Few epochs of small batches, a fixed seed, one libtorch thread, the 1×8×8 shape.</summary>
    public static T Quick<T>(string network, int epochs = 2)
        where T : AdamWTrainerOptions, new() =>
        new()
        {
            Network = Network(network), ImageShape = Shape, NumberOfEpochs = epochs, BatchSize = 16, Seed = 1, NumberOfThreads = 1,
            LearningRate = 3e-3,
        };

    private static List<Row> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Row>(count);
        for (var r = 0; r < count; r++)
        {
            var vertical = r % 2 == 1;
            var position = random.Next(8);
            var x = new float[FeatureCount];
            for (var i = 0; i < FeatureCount; i++)
            {
                var on = vertical ? i % 8 == position : i / 8 == position;
                x[i] = (on ? 1f : 0f) + (float)(0.3 * (random.NextDouble() * 2 - 1));
            }
            rows.Add(new Row { Features = x, Vertical = vertical, Direction = vertical ? "vertical" : "horizontal", Position = position });
        }
        return rows;
    }

    /// <summary>Features and Label = whether the bar is vertical (Boolean); <paramref name="shaped"/> types Features as a 1×8×8 vector.</summary>
    public static IDataView Binary(MLContext ml, int count = 64, int seed = 1, bool shaped = false) =>
        Select(ml, ml.Transforms.CopyColumns("Label", "Vertical"), count, seed, shaped);

    /// <summary>Features and Label = a key of the direction, with "horizontal" and "vertical" as key values.</summary>
    public static IDataView Multiclass(MLContext ml, int count = 64, int seed = 1) =>
        Select(ml, ml.Transforms.Conversion.MapValueToKey("Label", "Direction"), count, seed);

    /// <summary>Features and Label = the bar's position, 0–7 (Single).</summary>
    public static IDataView Regression(MLContext ml, int count = 64, int seed = 1) =>
        Select(ml, ml.Transforms.CopyColumns("Label", "Position"), count, seed);

    private static IDataView Select<T>(MLContext ml, IEstimator<T> label, int count, int seed, bool shaped = false)
        where T : class, ITransformer
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        if (shaped)
            schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Shape.Channels, Shape.Height, Shape.Width);
        var raw = ml.Data.LoadFromEnumerable(Rows(count, seed), schema);
        return label.Append(ml.Transforms.SelectColumns("Features", "Label")).Fit(raw).Transform(raw);
    }
}
