using MLNet.AdamW.Diagnostics;

namespace MLNet.AdamW.Tests.Diagnostics;

/// <summary>The definitions behind a snapshot, on values whose answers are worked out by hand.</summary>
public sealed class GradientScaleStatisticsTests
{
    [Theory]
    [InlineData(1.0, 0)]
    [InlineData(-1.0, 0)]
    [InlineData(0.5, -1)]
    [InlineData(0.4999, -2)]
    [InlineData(1.9999, 0)]
    [InlineData(3e-3, -9)]          // 2^-9 = 1.95e-3 ≤ 3e-3 < 2^-8 = 3.9e-3
    [InlineData(1e-8, -27)]         // 1e-8 = 1.34·2^-27
    [InlineData(1e-9, -27)]         // clipped up to 1e-8
    [InlineData(0.0, -27)]
    [InlineData(1e4, 13)]           // 1e4 = 1.22·2^13
    [InlineData(1e6, 13)]           // clipped down to 1e4
    [InlineData(double.PositiveInfinity, 13)]
    [InlineData(double.NaN, 13)]
    public void A_value_falls_into_the_bucket_of_its_clipped_binary_exponent(double value, int bucket)
    {
        Assert.Equal(bucket, Log2Histogram.BucketOf(value));
    }

    [Fact]
    public void The_histogram_counts_every_value_once()
    {
        double[] values = [0, 1e-12, 0.25, -0.25, 0.3, 1, 2, 3.99, 4, 1e9];
        var histogram = GradientScaleStatistics.Histogram(values);

        Assert.Equal(values.Length, histogram.Total);
        Assert.Equal(Log2Histogram.BucketCount, histogram.Counts.Count);
        Assert.Equal(2, histogram.Count(-27));
        Assert.Equal(3, histogram.Count(-2));   // ±0.25, 0.3
        Assert.Equal(1, histogram.Count(0));
        Assert.Equal(2, histogram.Count(1));    // 2, 3.99
        Assert.Equal(1, histogram.Count(2));
        Assert.Equal(1, histogram.Count(13));
        Assert.Equal(0.3, histogram.Proportion(-2), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Count(14));
    }

    [Fact]
    public void Percentiles_interpolate_between_order_statistics()
    {
        double[] sorted = [1, 2, 4, 8, 16];   // positions 0..4
        Assert.Equal(1 + 0.4 * 1, GradientScaleStatistics.Percentile(sorted, 0.1), 12);    // position 0.4
        Assert.Equal(8 + 0.6 * 8, GradientScaleStatistics.Percentile(sorted, 0.9), 12);    // position 3.6
        Assert.Equal(4, GradientScaleStatistics.Percentile(sorted, 0.5));
        Assert.Equal(16, GradientScaleStatistics.Percentile(sorted, 1));
        Assert.Equal(7, GradientScaleStatistics.Percentile([7], 0.9));
    }

    [Fact]
    public void A_snapshot_of_two_layers_a_dozen_octaves_apart_has_the_hand_computed_spreads()
    {
        // Layer "small": 2^-9 … 2^-6; layer "large": 2^3 … 2^6 (signs do not matter).
        double[] small = [-Math.Pow(2, -9), Math.Pow(2, -8), -Math.Pow(2, -7), Math.Pow(2, -6)];
        double[] large = [Math.Pow(2, 3), -Math.Pow(2, 4), Math.Pow(2, 5), -Math.Pow(2, 6)];
        double[] zeros = new double[4];
        var snapshot = GradientScaleStatistics.Snapshot(7, 2, 1, 1e-3, ["small", "large"], [small, large], [zeros, zeros], [small, large]);

        // Sorted |g|: 2^-9, 2^-8, 2^-7, 2^-6, 2^3, 2^4, 2^5, 2^6. P10 at position 0.7, P90 at 6.3.
        var p10 = Math.Pow(2, -9) * 1.7;
        var p90 = Math.Pow(2, 5) * 1.3;
        Assert.Equal(p10, snapshot.GradientPercentile10, 15);
        Assert.Equal(p90, snapshot.GradientPercentile90, 12);
        Assert.Equal(14 + Math.Log2(1.3 / 1.7), snapshot.GradientPercentileSpread, 12);
        // RMS: 2^-9·√(85/4) and 2^3·√(85/4): exactly 12 octaves apart.
        Assert.Equal(Math.Pow(2, -9) * Math.Sqrt(85 / 4.0), snapshot.Layers[0].GradientRms, 15);
        Assert.Equal(12, snapshot.LayerRmsSpread, 12);
        Assert.Equal(Math.Sqrt((85 * Math.Pow(2, -18) + 85 * Math.Pow(2, 6)) / 8), snapshot.All.GradientRms, 12);
        Assert.Equal(8, snapshot.All.Coordinates);
        Assert.Equal(8, snapshot.All.Update.Count(-27));
        foreach (var e in new[] { -9, -8, -7, -6, 3, 4, 5, 6 })
            Assert.Equal(1, snapshot.All.Gradient.Count(e));
        Assert.Equal((7L, 2, 1), (snapshot.Step, snapshot.Epoch, snapshot.Minibatch));
    }

    [Fact]
    public void Zero_gradients_count_at_the_clip_so_the_spreads_stay_finite()
    {
        var snapshot = GradientScaleStatistics.Snapshot(1, 1, 1, 1e-3, ["dead", "alive"], [new double[3], [1, 1, 1]], [new double[3], new double[3]], [new double[3], new double[3]]);

        Assert.Equal(Math.Log2(1) - Math.Log2(1e-8), snapshot.LayerRmsSpread, 12);
        Assert.Equal(1e-8, snapshot.GradientPercentile10);
        Assert.Equal(1, snapshot.GradientPercentile90);
        Assert.True(double.IsFinite(snapshot.GradientPercentileSpread));
    }
}
