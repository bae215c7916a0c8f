using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.AdamW;

/// <summary>
/// How a flat vector of Single is an image: <see cref="Channels"/> × <see cref="Height"/> ×
/// <see cref="Width"/>, channel-major (CHW), as ML.NET's <c>ExtractPixels</c> lays pixels out by default.
/// </summary>
/// <remarks>
/// Value <c>c·Height·Width + y·Width + x</c> of the vector is channel c, row y, column x.
/// </remarks>
public sealed class ImageShape : IEquatable<ImageShape>
{
    /// <summary>An image shape; every size at least 1.</summary>
    /// <param name="channels">Colour channels: 1 for grey, 3 for RGB.</param>
    /// <param name="height">Rows of pixels.</param>
    /// <param name="width">Columns of pixels.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1; the message names it.</exception>
    public ImageShape(int channels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Colour channels.</summary>
    public int Channels { get; }

    /// <summary>Rows of pixels.</summary>
    public int Height { get; }

    /// <summary>Columns of pixels.</summary>
    public int Width { get; }

    /// <summary>Channels × height × width: the length of the feature vector.</summary>
    public long Size => (long)Channels * Height * Width;

    /// <summary>Whether both shapes have the same channels, height and width.</summary>
    public bool Equals(ImageShape? other) =>
        other is not null && other.Channels == Channels && other.Height == Height && other.Width == Width;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ImageShape);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Channels, Height, Width);

    /// <summary>E.g. "1×28×28" (channels × height × width).</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Channels}×{Height}×{Width}");

    /// <summary>
    /// The image shape of the features: the column's, when its vector type has three dimensions, or
    /// <see cref="AdamWTrainerOptions.ImageShape"/>; both must agree, and the shape must cover the vector.
    /// </summary>
    internal static ImageShape? Resolve(ImageShape? option, DataViewSchema.Column column, int featureCount)
    {
        ImageShape? shape = option;
        if (column.Type is VectorDataViewType { Dimensions.Length: 3 } vector && vector.Dimensions.All(d => d > 0))
        {
            var fromColumn = new ImageShape(vector.Dimensions[0], vector.Dimensions[1], vector.Dimensions[2]);
            if (option is not null && !option.Equals(fromColumn))
                throw new ArgumentException(
                    $"{nameof(AdamWTrainerOptions.ImageShape)} is {option} but the feature column '{column.Name}' is already shaped {fromColumn}; leave {nameof(AdamWTrainerOptions.ImageShape)} null or make them agree.",
                    nameof(option));
            shape = fromColumn;
        }
        if (shape is not null && shape.Size != featureCount)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{nameof(AdamWTrainerOptions.ImageShape)} {shape} has {shape.Size} values but the feature column '{column.Name}' has {featureCount}."),
                nameof(option));
        return shape;
    }
}
