using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Samples;

namespace PaperReproduction;

/// <summary>A digit downsampled to side × side (average pooling), pixels in [0, 1], as one row.</summary>
internal sealed class DigitImage
{
    public float[] Features { get; set; } = [];

    public uint Label { get; set; }
}

/// <summary>The shipped MNIST digits as the reproduction uses them.</summary>
internal static class DigitImages
{
    /// <summary>The first <paramref name="count"/> shipped digits (the files were shuffled once with a fixed seed), downsampled.</summary>
    public static IReadOnlyList<DigitImage> Load(int count, int side)
    {
        var digits = Datasets.Digits();
        if (count > digits.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Only {digits.Count:N0} digits are shipped.");
        if (side < 1 || 28 % side != 0)
            throw new ArgumentOutOfRangeException(nameof(side), side, "The image side must divide 28 (28, 14, 7, 4, 2).");
        return [.. digits.Take(count).Select(d => new DigitImage { Features = Downsample(d.Pixels, side), Label = d.Label })];
    }

    /// <summary>The rows as a data view whose Features column is a vector of side² floats.</summary>
    public static IDataView ToDataView(MLContext ml, IReadOnlyList<DigitImage> images, int side)
    {
        var schema = SchemaDefinition.Create(typeof(DigitImage));
        schema[nameof(DigitImage.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, side * side);
        return ml.Data.LoadFromEnumerable(images, schema);
    }

    /// <summary>Mean over each (28/side)² block.</summary>
    public static float[] Downsample(float[] pixels, int side)
    {
        var block = 28 / side;
        var result = new float[side * side];
        for (var r = 0; r < 28; r++)
        {
            for (var c = 0; c < 28; c++)
                result[r / block * side + c / block] += pixels[r * 28 + c];
        }
        for (var i = 0; i < result.Length; i++)
            result[i] /= block * block;
        return result;
    }
}
