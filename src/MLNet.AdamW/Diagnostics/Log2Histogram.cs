namespace MLNet.AdamW.Diagnostics;

/// <summary>
/// How many coordinates of a tensor (or of all tensors) fall into each power-of-two bucket: the bucket
/// of a value v is ⌊log2 clip(|v|)⌋, with |v| clipped to [<see cref="MinValue"/>, <see cref="MaxValue"/>],
/// so buckets run from <see cref="MinExponent"/> (−27, which also holds every |v| &lt; 1e-8, zeros
/// included) to <see cref="MaxExponent"/> (13, which also holds every |v| &gt; 1e4), as the paper's
/// histograms of |g|, |update| and |x| do.
/// </summary>
/// <remarks>The exponent is read from the value's binary representation (<see cref="Math.ILogB"/>), so a
/// power of two starts its own bucket exactly: 0.5 is in bucket −1, 0.4999 in bucket −2. A NaN counts as
/// the largest value.</remarks>
public sealed class Log2Histogram
{
    /// <summary>The smallest magnitude told apart: 1e-8.</summary>
    public const double MinValue = 1e-8;

    /// <summary>The largest magnitude told apart: 1e4.</summary>
    public const double MaxValue = 1e4;

    /// <summary>⌊log2 1e-8⌋ = −27, the first bucket.</summary>
    public const int MinExponent = -27;

    /// <summary>⌊log2 1e4⌋ = 13, the last bucket.</summary>
    public const int MaxExponent = 13;

    /// <summary>The number of buckets, 41.</summary>
    public const int BucketCount = MaxExponent - MinExponent + 1;

    private readonly long[] _counts;

    internal Log2Histogram(long[] counts)
    {
        if (counts.Length != BucketCount || counts.Any(c => c < 0))
            throw new ArgumentException($"A histogram has {BucketCount} non-negative counts; got {counts.Length}.", nameof(counts));
        _counts = counts;
        Total = counts.Sum();
    }

    /// <summary>The counts, bucket by bucket: index k is exponent <see cref="MinExponent"/> + k.</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>The number of values counted: the tensor's (or tensors') coordinates.</summary>
    public long Total { get; }

    /// <summary>The values in bucket e, those with 2^e ≤ clip(|v|) &lt; 2^(e+1).</summary>
    /// <param name="exponent">From <see cref="MinExponent"/> to <see cref="MaxExponent"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The exponent is outside the buckets.</exception>
    public long Count(int exponent) => _counts[Index(exponent)];

    /// <summary>The fraction of the values in bucket e (0 for an empty histogram): what the paper plots.</summary>
    /// <param name="exponent">From <see cref="MinExponent"/> to <see cref="MaxExponent"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The exponent is outside the buckets.</exception>
    public double Proportion(int exponent) => Total == 0 ? 0 : (double)_counts[Index(exponent)] / Total;

    /// <summary>The bucket of a value: ⌊log2 clip(|v|)⌋.</summary>
    /// <param name="value">Any value; NaN counts as the largest.</param>
    /// <returns>From <see cref="MinExponent"/> to <see cref="MaxExponent"/>.</returns>
    public static int BucketOf(double value) => Math.ILogB(Clip(value));

    /// <summary>|v| clipped to [<see cref="MinValue"/>, <see cref="MaxValue"/>]; NaN becomes <see cref="MaxValue"/>.</summary>
    internal static double Clip(double value)
    {
        var magnitude = Math.Abs(value);
        return magnitude < MinValue ? MinValue : magnitude <= MaxValue ? magnitude : MaxValue;
    }

    private static int Index(int exponent)
    {
        if (exponent < MinExponent || exponent > MaxExponent)
            throw new ArgumentOutOfRangeException(nameof(exponent), exponent, $"{nameof(exponent)} must be in [{MinExponent}, {MaxExponent}]; it was {exponent}.");
        return exponent - MinExponent;
    }
}
