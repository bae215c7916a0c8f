namespace MLNet.AdamW.Diagnostics;

/// <summary>
/// The scales of one layer on one recorded minibatch — a layer being one trainable parameter tensor
/// (e.g. <c>layer1.0.conv1.weight</c>; a bias is a layer of its own) — or, for
/// <see cref="GradientScaleSnapshot.All"/>, of all coordinates of all tensors pooled.
/// </summary>
/// <remarks>
/// <para>g is the minibatch gradient as backward left it: with the loss multiplier, without an L2 penalty
/// (Adam-ℓ2 adds λ·x inside the optimizer), after any change an earlier observer made to it. x is the
/// weight the gradient was taken at (before the step). The update is the step the optimizer actually
/// took on that minibatch, x_after − x_before, weight decay included, computed in double precision from
/// the tensor's values. A parameter without a gradient (unused by the loss) counts as zero gradients.</para>
/// <para>Each RMS is √(Σv²/n) over the layer's n coordinates.</para>
/// </remarks>
public sealed class LayerGradientScale
{
    internal LayerGradientScale(
        string name, long coordinates, Log2Histogram gradient, Log2Histogram update, Log2Histogram weight,
        double gradientRms, double updateRms, double weightRms)
    {
        Name = name;
        Coordinates = coordinates;
        Gradient = gradient;
        Update = update;
        Weight = weight;
        GradientRms = gradientRms;
        UpdateRms = updateRms;
        WeightRms = weightRms;
    }

    /// <summary>The name used for the pooled statistics of all layers: "(all)".</summary>
    public const string AllLayers = "(all)";

    /// <summary>The parameter's name as <c>named_parameters()</c> gives it, or <see cref="AllLayers"/>.</summary>
    public string Name { get; }

    /// <summary>The number of coordinates (elements), which every histogram's <see cref="Log2Histogram.Total"/> equals.</summary>
    public long Coordinates { get; }

    /// <summary>The histogram of log2|g|.</summary>
    public Log2Histogram Gradient { get; }

    /// <summary>The histogram of log2|x_after − x_before|.</summary>
    public Log2Histogram Update { get; }

    /// <summary>The histogram of log2|x| (x before the step).</summary>
    public Log2Histogram Weight { get; }

    /// <summary>√(mean g²).</summary>
    public double GradientRms { get; }

    /// <summary>√(mean (x_after − x_before)²).</summary>
    public double UpdateRms { get; }

    /// <summary>√(mean x²), x before the step.</summary>
    public double WeightRms { get; }
}
