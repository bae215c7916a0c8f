namespace MLNet.AdamW.Sweeps.Figures;

/// <summary>Which histogram of a <see cref="MLNet.AdamW.Diagnostics.LayerGradientScale"/> a <see cref="GradientScaleFigure"/> draws.</summary>
public enum GradientScaleQuantity
{
    /// <summary>log2|g|, the minibatch gradient (the paper's main figure).</summary>
    Gradient,

    /// <summary>log2|x_after − x_before|, the step the optimizer took.</summary>
    Update,

    /// <summary>log2|x|, the weights.</summary>
    Weight,
}
