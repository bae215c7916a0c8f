using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Training;

/// <summary>A training run as its observers see it: what is trained, how long, and a way to stop it.</summary>
public sealed class TrainingContext
{
    private readonly Action<int> _onStop;

    internal TrainingContext(
        nn.Module<Tensor, Tensor> network, IReadOnlyList<(string Name, Parameter Parameter)> parameters, string description,
        int numberOfEpochs, int minibatchesPerEpoch, int firstEpoch, Action<int> onStop)
    {
        Network = network;
        Parameters = parameters;
        Description = description;
        NumberOfEpochs = numberOfEpochs;
        MinibatchesPerEpoch = minibatchesPerEpoch;
        FirstEpoch = firstEpoch;
        _onStop = onStop;
    }

    /// <summary>The network being trained. Read it freely; changing its weights changes the run.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>The network's trainable parameters with their names (as <c>named_parameters()</c> gives them), in a fixed order.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    /// <summary>The network, optimizer, schedule and run length in one line.</summary>
    public string Description { get; }

    /// <summary>The epochs the run is set to train.</summary>
    public int NumberOfEpochs { get; }

    /// <summary>The minibatches (optimizer steps) of each epoch.</summary>
    public int MinibatchesPerEpoch { get; }

    /// <summary>The first epoch this run trains, from 1: later than 1 when it resumed from a checkpoint.</summary>
    public int FirstEpoch { get; }

    /// <summary>The epoch in progress (or just finished, in <see cref="TrainingObserver.OnEpochEnd"/>); 0 before the first.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Whether an observer has asked training to stop.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>
    /// Asks training to stop: after the current epoch, or, from <see cref="TrainingObserver.OnStep"/>, after
    /// the current step (see <see cref="TrainingObserver"/>). Observers later in the order are still
    /// called for this step or epoch. The history then says <see cref="TrainingHistory.StoppedEarly"/> if
    /// epochs were left.
    /// </summary>
    public void RequestStop()
    {
        if (StopRequested)
            return;
        StopRequested = true;
        _onStop(Epoch);
    }
}
