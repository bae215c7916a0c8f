namespace MLNet.AdamW.Diagnostics;

/// <summary>
/// What <see cref="GradientScaleRecorder"/> recorded on one minibatch: the histograms and RMS of every
/// layer and of all coordinates pooled, and two numbers that say how many scales the gradients span.
/// </summary>
/// <remarks>
/// <para><see cref="GradientPercentileSpread"/> = log2 P90 − log2 P10, where P10 and P90 are the 10th and
/// 90th percentiles of clip(|g|) over all coordinates of all layers (clipped to [1e-8, 1e4] as the
/// histograms are, so zero gradients count as 1e-8); a percentile interpolates linearly between the two
/// nearest order statistics (position q·(n − 1) in the sorted values, NumPy's default).</para>
/// <para><see cref="LayerRmsSpread"/> = log2 max_l clip(RMS_l) − log2 min_l clip(RMS_l) over the layers'
/// gradient RMS, clipped the same way (0 for a single layer).</para>
/// <para>A spread of s means the gradients span s powers of two (s/3.32 powers of ten): a scale-free
/// optimizer (AdamW, AdamProx) is unaffected by it, Adam-ℓ2 is.</para>
/// </remarks>
public sealed class GradientScaleSnapshot
{
    internal GradientScaleSnapshot(
        long step, int epoch, int minibatch, double learningRate, LayerGradientScale all, IReadOnlyList<LayerGradientScale> layers,
        double gradientPercentile10, double gradientPercentile90, double layerRmsSpread)
    {
        Step = step;
        Epoch = epoch;
        Minibatch = minibatch;
        LearningRate = learningRate;
        All = all;
        Layers = layers;
        GradientPercentile10 = gradientPercentile10;
        GradientPercentile90 = gradientPercentile90;
        LayerRmsSpread = layerRmsSpread;
    }

    /// <summary>The optimizer step, from 1, counted over the run.</summary>
    public long Step { get; }

    /// <summary>The epoch, from 1.</summary>
    public int Epoch { get; }

    /// <summary>The minibatch within the epoch, from 1 (1 for an epoch recorded as the paper did).</summary>
    public int Minibatch { get; }

    /// <summary>The learning rate α·η_t of the step.</summary>
    public double LearningRate { get; }

    /// <summary>All coordinates of all layers pooled, named <see cref="LayerGradientScale.AllLayers"/>.</summary>
    public LayerGradientScale All { get; }

    /// <summary>One entry per trainable parameter tensor, in <c>named_parameters()</c> order.</summary>
    public IReadOnlyList<LayerGradientScale> Layers { get; }

    /// <summary>The 10th percentile of clip(|g|) over all coordinates.</summary>
    public double GradientPercentile10 { get; }

    /// <summary>The 90th percentile of clip(|g|) over all coordinates.</summary>
    public double GradientPercentile90 { get; }

    /// <summary>log2 P90 − log2 P10 of clip(|g|) over all coordinates (see the remarks).</summary>
    public double GradientPercentileSpread => Math.Log2(GradientPercentile90) - Math.Log2(GradientPercentile10);

    /// <summary>log2 of the largest over the smallest per-layer gradient RMS, each clipped to [1e-8, 1e4] (see the remarks).</summary>
    public double LayerRmsSpread { get; }
}
