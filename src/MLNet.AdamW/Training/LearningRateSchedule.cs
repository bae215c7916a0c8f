namespace MLNet.AdamW;

/// <summary>
/// How the learning rate changes over training, after an optional linear warm-up. The optimizer's
/// rate at each step is α·η_t, with α the configured learning rate and η_t the schedule's multiplier.
/// </summary>
/// <remarks>
/// With W warm-up steps (warm-up epochs × steps per epoch), T steps in all, t counted from 0 and
/// e_t = ⌊t / steps per epoch⌋ the epoch of step t (from 0), the multiplier is η_t = w_t·s_t:
/// <code>
/// warm-up:  w_t = (t + 1) / W for t &lt; W, else 1                (so the last warm-up step runs at the full rate)
/// Constant: s_t = 1
/// Step:     s_t = γ^⌊e_t / S⌋                                  S: the step size in epochs
/// Cosine:   s_t = f + (1 − f)·(1 + cos(π·(t − W) / (T − W − 1))) / 2 for t ≥ W, else 1
///           (1 at the first step after the warm-up, f at the last; 1 if only one step follows the warm-up)
/// </code>
/// With <see cref="WeightDecayScaling.Schedule"/>, the optimizer decays by η_t·λ per step, since it
/// takes η_t as the current over the initial learning rate, which is this multiplier.
/// </remarks>
public enum LearningRateSchedule
{
    /// <summary>The same rate α throughout (after any warm-up).</summary>
    Constant = 0,

    /// <summary>α multiplied by γ every <c>StepSize</c> epochs (PyTorch's StepLR, counted in epochs).</summary>
    Step = 1,

    /// <summary>Cosine annealing from α after the warm-up down to a fraction f of α at the last step (Loshchilov &amp; Hutter's SGDR without restarts).</summary>
    Cosine = 2,
}
