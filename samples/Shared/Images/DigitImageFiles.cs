using System.Globalization;
using Microsoft.ML.Data;

namespace MLNet.AdamW.Samples;

/// <summary>One digit written as an image file: the file's name in its folder and the digit.</summary>
public sealed class DigitImage
{
    /// <summary>The file name, relative to the folder the files were written to.</summary>
    public string ImagePath { get; set; } = "";

    public uint Label { get; set; }
}

/// <summary>Writes the shipped MNIST digits as 28×28 grayscale PNG files, the input of an image pipeline.</summary>
public static class DigitImageFiles
{
    /// <summary>The shipped digits as stored: one byte per pixel.</summary>
    public static MnistDigits Load() =>
        Mnist.Load(Path.Combine(Datasets.Folder, "mnist-10k-images-idx3-ubyte.gz"), Path.Combine(Datasets.Folder, "mnist-10k-labels-idx1-ubyte.gz"));

    /// <summary>
    /// Writes digits <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> − 1 as
    /// <c>digit-NNNNN.png</c> (NNNNN the digit's index) into <paramref name="folder"/>, creating it.
    /// </summary>
    /// <returns>One row per file, in index order.</returns>
    public static IReadOnlyList<DigitImage> Write(MnistDigits digits, int start, int count, string folder)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, digits.Count, nameof(count));
        Directory.CreateDirectory(folder);

        // MLImage creates images from 32-bit pixels only: each grey value goes into blue, green and
        // red, fully opaque. PNG is lossless, so reading a channel back gives the stored bytes.
        var size = digits.PixelsPerImage;
        var bgra = new byte[4 * size];
        var rows = new List<DigitImage>(count);
        for (var i = start; i < start + count; i++)
        {
            var grey = digits.Pixels.AsSpan(i * size, size);
            for (var p = 0; p < size; p++)
            {
                bgra[4 * p] = bgra[4 * p + 1] = bgra[4 * p + 2] = grey[p];
                bgra[4 * p + 3] = byte.MaxValue;
            }
            var name = string.Create(CultureInfo.InvariantCulture, $"digit-{i:D5}.png");
            using (var image = MLImage.CreateFromPixels(digits.Columns, digits.Rows, MLPixelFormat.Bgra32, bgra))
                image.Save(Path.Combine(folder, name));
            rows.Add(new DigitImage { ImagePath = name, Label = digits.Labels[i] });
        }
        return rows;
    }
}
