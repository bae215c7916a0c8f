namespace MLNet.AdamW;

/// <summary>
/// How weight decay λ enters an optimizer step.
/// </summary>
/// <remarks>
/// With x the parameters, g_t the minibatch gradient, p_t the optimizer's direction (Adam's
/// m̂_t / (√v̂_t + ε), or SGD's momentum direction), α·η_t the scheduled learning rate and
/// d_t the per-step decay (see <see cref="WeightDecayScaling"/>):
/// <list type="table">
/// <listheader><term>mode</term><description>update</description></listheader>
/// <item><term><see cref="None"/></term><description>x_t = x_{t-1} − αη_t·p_t</description></item>
/// <item><term><see cref="L2"/></term><description>g_t ← g_t + λ·x_{t-1} before the moments; x_t = x_{t-1} − αη_t·p_t (Adam-ℓ2)</description></item>
/// <item><term><see cref="Decoupled"/></term><description>x_t = (1 − d_t)·x_{t-1} − αη_t·p_t (AdamW)</description></item>
/// <item><term><see cref="Proximal"/></term><description>x_t = (x_{t-1} − αη_t·p_t) / (1 + d_t) (AdamProx)</description></item>
/// </list>
/// AdamProx is the exact proximal step of the regularizer (λ/2)‖x‖²; AdamW is its first-order
/// approximation, since 1/(1 + d) ≈ 1 − d. Both keep Adam's scale-freeness; Adam-ℓ2 loses it
/// when λ &gt; 0 because λ·x is added before the normalisation (Zhuang, Liu, Cutkosky, Orabona,
/// "Understanding AdamW through Proximal Methods and Scale-Freeness", TMLR 2022).
/// </remarks>
public enum WeightDecayMode
{
    /// <summary>No weight decay; <c>WeightDecay</c> must be 0.</summary>
    None = 0,

    /// <summary>An L2 penalty: λ·x is added to the gradient before the optimizer's moments (Adam-ℓ2; PyTorch's <c>Adam(weight_decay)</c> and <c>SGD(weight_decay)</c>).</summary>
    L2 = 1,

    /// <summary>Decoupled weight decay: parameters shrink by the factor 1 − d_t beside the optimizer's step (AdamW, Loshchilov &amp; Hutter).</summary>
    Decoupled = 2,

    /// <summary>Proximal weight decay: the step is divided by 1 + d_t, the exact proximal operator of (λ/2)‖x‖² (AdamProx).</summary>
    Proximal = 3,
}
