namespace MLNet.AdamW.Diagnostics;

/// <summary>The arithmetic behind a <see cref="GradientScaleSnapshot"/>, on plain arrays (the recorder copies the tensors out).</summary>
internal static class GradientScaleStatistics
{
    /// <summary>One layer's histograms and RMS.</summary>
    public static LayerGradientScale Layer(string name, double[] gradient, double[] update, double[] weight) =>
        new(name, gradient.Length, Histogram(gradient), Histogram(update), Histogram(weight), Rms(gradient), Rms(update), Rms(weight));

    /// <summary>
    /// A snapshot from every layer's gradient, update and weight values (layer by layer, in the same
    /// order): the layers, their pool, the percentiles of clip(|g|) and the spread of the layers' RMS.
    /// </summary>
    public static GradientScaleSnapshot Snapshot(
        long step, int epoch, int minibatch, double learningRate,
        IReadOnlyList<string> names, IReadOnlyList<double[]> gradients, IReadOnlyList<double[]> updates, IReadOnlyList<double[]> weights)
    {
        var layers = new LayerGradientScale[names.Count];
        for (var l = 0; l < layers.Length; l++)
            layers[l] = Layer(names[l], gradients[l], updates[l], weights[l]);
        var magnitudes = new double[gradients.Sum(g => g.Length)];
        var offset = 0;
        foreach (var g in gradients)
        {
            for (var i = 0; i < g.Length; i++)
                magnitudes[offset + i] = Log2Histogram.Clip(g[i]);
            offset += g.Length;
        }
        Array.Sort(magnitudes);
        return new GradientScaleSnapshot(step, epoch, minibatch, learningRate, Pool(layers), layers,
            Percentile(magnitudes, 0.1), Percentile(magnitudes, 0.9), RmsSpread(layers));
    }

    /// <summary>Counts of ⌊log2 clip(|v|)⌋.</summary>
    public static Log2Histogram Histogram(ReadOnlySpan<double> values)
    {
        var counts = new long[Log2Histogram.BucketCount];
        foreach (var v in values)
            counts[Log2Histogram.BucketOf(v) - Log2Histogram.MinExponent]++;
        return new Log2Histogram(counts);
    }

    /// <summary>√(Σv²/n); 0 for no values.</summary>
    public static double Rms(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
            return 0;
        double sum = 0;
        foreach (var v in values)
            sum += v * v;
        return Math.Sqrt(sum / values.Length);
    }

    /// <summary>
    /// The q-quantile of sorted values, interpolating linearly between the order statistics at
    /// ⌊q·(n − 1)⌋ and ⌈q·(n − 1)⌉ (NumPy's default); <see cref="Log2Histogram.MinValue"/> for no values.
    /// </summary>
    public static double Percentile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
            return Log2Histogram.MinValue;
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>log2 max clip(RMS) − log2 min clip(RMS) over the layers' gradient RMS; 0 without layers.</summary>
    public static double RmsSpread(IReadOnlyList<LayerGradientScale> layers)
    {
        if (layers.Count == 0)
            return 0;
        var clipped = layers.Select(l => Log2Histogram.Clip(l.GradientRms)).ToArray();
        return Math.Log2(clipped.Max()) - Math.Log2(clipped.Min());
    }

    /// <summary>All layers as one: summed counts, RMS over all coordinates.</summary>
    private static LayerGradientScale Pool(IReadOnlyList<LayerGradientScale> layers)
    {
        long coordinates = layers.Sum(l => l.Coordinates);
        return new LayerGradientScale(LayerGradientScale.AllLayers, coordinates,
            Sum(layers, l => l.Gradient), Sum(layers, l => l.Update), Sum(layers, l => l.Weight),
            PooledRms(layers, l => l.GradientRms, coordinates), PooledRms(layers, l => l.UpdateRms, coordinates), PooledRms(layers, l => l.WeightRms, coordinates));
    }

    private static Log2Histogram Sum(IReadOnlyList<LayerGradientScale> layers, Func<LayerGradientScale, Log2Histogram> histogram)
    {
        var counts = new long[Log2Histogram.BucketCount];
        foreach (var layer in layers)
        {
            var h = histogram(layer).Counts;
            for (var k = 0; k < counts.Length; k++)
                counts[k] += h[k];
        }
        return new Log2Histogram(counts);
    }

    private static double PooledRms(IReadOnlyList<LayerGradientScale> layers, Func<LayerGradientScale, double> rms, long coordinates) =>
        coordinates == 0 ? 0 : Math.Sqrt(layers.Sum(l => rms(l) * rms(l) * l.Coordinates) / coordinates);
}
