namespace MLNet.AdamW;

/// <summary>
/// How the per-step decay d_t of <see cref="WeightDecayMode.Decoupled"/> and
/// <see cref="WeightDecayMode.Proximal"/> follows from λ; both conventions are in use.
/// </summary>
/// <remarks>
/// With α the group's initial learning rate and α·η_t its current (scheduled) learning rate,
/// so that η_t = current learning rate / initial learning rate:
/// <list type="bullet">
/// <item><see cref="LearningRate"/>: d_t = α·η_t·λ (PyTorch, optax, Keras, TorchSharp).</item>
/// <item><see cref="Schedule"/>: d_t = η_t·λ, λ not multiplied by α (Loshchilov &amp; Hutter; the
/// paper's code and its grids, λ ∈ {1e-5 … 1e-2}).</item>
/// </list>
/// The scaling has no effect in <see cref="WeightDecayMode.L2"/> mode, where λ·x is added to the
/// gradient, nor in <see cref="WeightDecayMode.None"/>.
/// </remarks>
public enum WeightDecayScaling
{
    /// <summary>d_t = α·η_t·λ: decay proportional to the current learning rate (PyTorch's convention).</summary>
    LearningRate = 0,

    /// <summary>d_t = η_t·λ: decay follows the schedule multiplier only (the paper's convention).</summary>
    Schedule = 1,
}
