namespace MLNet.AdamW.Training;

/// <summary>
/// One optimizer step, as <see cref="TrainingObserver.OnStep"/> sees it: after the backward pass, before
/// the optimizer applies the gradients. The loop reuses one object for every step; its values are valid
/// only during the call.
/// </summary>
public sealed class TrainingStep
{
    internal TrainingStep(TrainingContext context)
    {
        Context = context;
    }

    /// <summary>The run: the network, its named parameters (whose <c>grad</c> holds this step's gradients), and <see cref="TrainingContext.RequestStop"/>.</summary>
    public TrainingContext Context { get; }

    /// <summary>The step number, from 1, counted over the whole run (a resumed run continues the count).</summary>
    public long Step { get; internal set; }

    /// <summary>The epoch, from 1.</summary>
    public int Epoch { get; internal set; }

    /// <summary>The minibatch within the epoch, from 1 to <see cref="TrainingContext.MinibatchesPerEpoch"/>.</summary>
    public int Minibatch { get; internal set; }

    /// <summary>The minibatch's loss (weighted mean over its rows, training mode), before the step; in label units.</summary>
    public double Loss { get; internal set; }

    /// <summary>The weighted mean loss of this epoch's minibatches so far, this one included; in label units.</summary>
    public double EpochLoss { get; internal set; }

    /// <summary>The learning rate α·η_t this step is taken with.</summary>
    public double LearningRate { get; internal set; }

    /// <summary>The rows in this minibatch.</summary>
    public int Rows { get; internal set; }

    private List<Action>? _afterStep;

    /// <summary>
    /// Runs a callback once, right after the optimizer has applied this step (before the next minibatch):
    /// what the gradient-scale recorder needs to see the update the optimizer actually made.
    /// </summary>
    internal void AfterStep(Action callback) => (_afterStep ??= []).Add(callback);

    /// <summary>Called by the loop after the optimizer step: runs and forgets the callbacks <see cref="AfterStep"/> registered.</summary>
    internal void StepTaken()
    {
        if (_afterStep is not { Count: > 0 } callbacks)
            return;
        foreach (var callback in callbacks)
            callback();
        callbacks.Clear();
    }
}
