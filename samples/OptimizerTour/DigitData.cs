using MLNet.AdamW.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace OptimizerTour;

/// <summary>One split of the digits as tensors: standardized pixels [n, 784] and Int64 labels [n].</summary>
internal sealed class DigitSplit : IDisposable
{
    public DigitSplit(Tensor features, Tensor labels)
    {
        Features = features;
        Labels = labels;
    }

    public Tensor Features { get; }

    public Tensor Labels { get; }

    public int Count => (int)Labels.shape[0];

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}

/// <summary>The training and test splits, standardized with statistics of the training split only.</summary>
internal sealed class DigitData : IDisposable
{
    private DigitData(DigitSplit train, DigitSplit test, double mean, double standardDeviation)
    {
        Train = train;
        Test = test;
        Mean = mean;
        StandardDeviation = standardDeviation;
    }

    public DigitSplit Train { get; }

    public DigitSplit Test { get; }

    /// <summary>Mean of the training pixels scaled to [0, 1].</summary>
    public double Mean { get; }

    /// <summary>Standard deviation of the training pixels scaled to [0, 1].</summary>
    public double StandardDeviation { get; }

    /// <summary>The first <paramref name="trainCount"/> digits train, the rest test.</summary>
    /// <remarks>The files were shuffled once with a fixed seed, so a prefix split is already a random,
    /// reproducible split; shuffling again would only make the sample depend on another generator.</remarks>
    public static DigitData Split(MnistDigits digits, int trainCount)
    {
        ArgumentNullException.ThrowIfNull(digits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trainCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(trainCount, digits.Count);

        // One mean and one deviation for all pixels, not one per pixel: border pixels are 0 in
        // almost every digit, and dividing by their near-zero deviation would blow up rare strokes.
        var trainPixels = digits.Pixels.AsSpan(0, trainCount * digits.PixelsPerImage);
        double sum = 0, sumOfSquares = 0;
        foreach (var b in trainPixels)
        {
            var x = b / 255.0;
            sum += x;
            sumOfSquares += x * x;
        }
        var mean = sum / trainPixels.Length;
        var deviation = Math.Sqrt(sumOfSquares / trainPixels.Length - mean * mean);

        var train = ToTensors(digits, 0, trainCount, mean, deviation);
        var test = ToTensors(digits, trainCount, digits.Count - trainCount, mean, deviation);
        return new DigitData(train, test, mean, deviation);
    }

    private static DigitSplit ToTensors(MnistDigits digits, int first, int count, double mean, double deviation)
    {
        var size = digits.PixelsPerImage;
        var pixels = digits.Pixels.AsSpan(first * size, count * size);
        var features = new float[pixels.Length];
        for (var i = 0; i < pixels.Length; i++)
            features[i] = (float)((pixels[i] / 255.0 - mean) / deviation);
        var labels = digits.Labels.AsSpan(first, count).ToArray().Select(label => (long)label).ToArray();
        return new DigitSplit(torch.tensor(features, [count, size]), torch.tensor(labels));
    }

    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
