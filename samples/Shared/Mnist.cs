using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNet.AdamW.Samples;

/// <summary>Digits as stored: one byte per pixel, row by row, and one byte per label.</summary>
public sealed record MnistDigits(byte[] Pixels, byte[] Labels, int Rows, int Columns)
{
    public int Count => Labels.Length;

    public int PixelsPerImage => Rows * Columns;
}

/// <summary>Reads MNIST's gzip-compressed IDX files and refuses anything that is not exactly that.</summary>
public static class Mnist
{
    private const int ImagesMagic = 0x0803;
    private const int LabelsMagic = 0x0801;
    private const int ImageSide = 28;
    private const int ClassCount = 10;

    /// <exception cref="InvalidDataException">A file is not gzip IDX, is truncated or too long, has a
    /// shape other than 28×28, a label outside 0–9, or the two files disagree on the count.</exception>
    public static MnistDigits Load(string imagesPath, string labelsPath)
    {
        var images = Decompress(imagesPath);
        var labels = Decompress(labelsPath);

        var imageCount = ReadHeader(images, imagesPath, ImagesMagic, 16);
        var rows = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(8));
        var columns = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(12));
        if (rows != ImageSide || columns != ImageSide)
            throw Invalid(imagesPath, $"images are {rows}×{columns}; MNIST digits are {ImageSide}×{ImageSide}");
        var pixels = Body(images, imagesPath, 16, (long)imageCount * rows * columns);

        var labelCount = ReadHeader(labels, labelsPath, LabelsMagic, 8);
        var classes = Body(labels, labelsPath, 8, labelCount);
        var outOfRange = Array.FindIndex(classes, label => label >= ClassCount);
        if (outOfRange >= 0)
            throw Invalid(labelsPath, $"the label of item {outOfRange} is {classes[outOfRange]}; digits are 0–9");

        if (imageCount != labelCount)
            throw new InvalidDataException(
                $"'{imagesPath}' holds {imageCount} images but '{labelsPath}' holds {labelCount} labels; they must pair up.");
        return new MnistDigits(pixels, classes, rows, columns);
    }

    private static byte[] Decompress(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"MNIST file not found: '{path}'.", path);
        try
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var bytes = new MemoryStream();
            gzip.CopyTo(bytes);
            return bytes.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid gzip file: {e.Message}", e);
        }
    }

    /// <returns>The item count.</returns>
    private static int ReadHeader(byte[] content, string path, int magic, int headerLength)
    {
        if (content.Length < headerLength)
            throw Invalid(path, $"it has {content.Length} bytes, fewer than the {headerLength}-byte header");
        var found = BinaryPrimitives.ReadInt32BigEndian(content);
        if (found != magic)
            throw Invalid(path, $"the magic number is 0x{found:X8}, expected 0x{magic:X8}");
        var count = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(4));
        if (count <= 0)
            throw Invalid(path, $"the item count is {count}");
        return count;
    }

    private static byte[] Body(byte[] content, string path, int headerLength, long expectedLength)
    {
        // A wrong length means a truncated download or a different format, never something to read around.
        if (content.Length - headerLength != expectedLength)
            throw Invalid(path, $"the header promises {expectedLength} data bytes but {content.Length - headerLength} follow");
        return content[headerLength..];
    }

    private static InvalidDataException Invalid(string path, string reason) =>
        new($"'{path}' is not an MNIST IDX file: {reason}.");
}
