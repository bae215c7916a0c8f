namespace MLNet.AdamW.Training;

/// <summary>
/// Watches a training run: its start, each epoch, optionally each optimizer step, and its end. Logging,
/// early stopping, checkpoints, the history and progress reports are observers of the loop; diagnostics
/// (gradient histograms) and sweep pruning plug in the same way.
/// </summary>
/// <remarks>
/// <para>An abstract class with do-nothing virtual methods rather than an interface: an observer overrides
/// only what it needs, and a hook added in a later version does not break observers written against
/// this one.</para>
/// <para>Calls come on the training thread, in order: <see cref="OnTrainingStart"/>; then for each epoch
/// <see cref="OnStep"/> once per minibatch (only if <see cref="ObservesSteps"/>) and
/// <see cref="OnEpochEnd"/> after the epoch's validation; then <see cref="OnTrainingEnd"/>, when the
/// network holds its final weights. Several observers are called in the order they were given. An
/// exception thrown by an observer ends training with that exception (and <see cref="OnTrainingEnd"/>
/// is not called); so does divergence or cancellation.</para>
/// <para>To stop training, call <see cref="TrainingContext.RequestStop"/>: from <see cref="OnEpochEnd"/>
/// training ends after that epoch; from <see cref="OnStep"/> the step is still taken, the rest of the
/// epoch is skipped, and the epoch ends (validation, <see cref="OnEpochEnd"/>) with the minibatches
/// done.</para>
/// </remarks>
/// <example>
/// <code>
/// sealed class GradientNorms : TrainingObserver
/// {
///     public override bool ObservesSteps => true;
///     public override void OnStep(TrainingStep current)
///     {
///         if (current.Minibatch != 1) return;                      // the first minibatch of each epoch
///         using var scope = torch.NewDisposeScope();
///         foreach (var (name, parameter) in current.Context.Parameters)
///             Console.WriteLine($"epoch {current.Epoch} {name}: ‖g‖ = {parameter.grad!.norm().ToDouble():G3}");
///     }
/// }
/// </code>
/// </example>
public abstract class TrainingObserver
{
    /// <summary>
    /// Whether <see cref="OnStep"/> is called. Read once, when training starts; false (the default)
    /// means the loop does no per-step work for this observer at all.
    /// </summary>
    public virtual bool ObservesSteps => false;

    /// <summary>Before the first epoch of the run (after a warm start or a resumed checkpoint is loaded).</summary>
    /// <param name="context">The run; the same object is passed to every later call.</param>
    public virtual void OnTrainingStart(TrainingContext context)
    {
    }

    /// <summary>
    /// After a minibatch's backward pass and before the optimizer step that applies its gradients; only
    /// when <see cref="ObservesSteps"/> is true.
    /// </summary>
    /// <param name="current">The step. The same object is reused for every step, and it and the gradients it
    /// reaches are valid only during this call: copy what you keep, and do not dispose the parameters or
    /// their gradients. Changing a gradient in place (clipping, say) changes the step the optimizer takes.</param>
    public virtual void OnStep(TrainingStep current)
    {
    }

    /// <summary>After an epoch and its validation.</summary>
    /// <param name="context">The run.</param>
    /// <param name="epoch">What the epoch did; the same record the history keeps.</param>
    public virtual void OnEpochEnd(TrainingContext context, EpochSummary epoch)
    {
    }

    /// <summary>After the last epoch, once the network holds the weights training returns (the best epoch's with early stopping).</summary>
    /// <param name="context">The run.</param>
    /// <param name="history">The run's history, as training returns it.</param>
    public virtual void OnTrainingEnd(TrainingContext context, TrainingHistory history)
    {
    }

    /// <summary>
    /// For the built-in observers: after the last epoch and before the history is made, so that early
    /// stopping can put the best epoch's weights back.
    /// </summary>
    /// <returns>The epoch whose weights the network now holds, or null to leave the last epoch's.</returns>
    internal virtual int? OnTrainingFinishing(TrainingContext context) => null;
}
