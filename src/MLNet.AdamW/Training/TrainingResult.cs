using TorchSharp.Modules;

namespace MLNet.AdamW.Training;

/// <summary>What <see cref="TrainingLoop"/>'s Train returns for a NetworkDefinition. The caller owns (and disposes) the network.</summary>
internal sealed class TrainingResult
{
    /// <summary>The trained network, in inference mode (<c>eval()</c>), every weight finite.</summary>
    public required Sequential Network { get; init; }

    /// <summary>Per-epoch losses, learning rates and times; which epoch's weights the network holds.</summary>
    public required TrainingHistory History { get; init; }

    /// <summary>Network, optimizer, schedule and run length in one line, e.g. for a model's description.</summary>
    public required string Description { get; init; }

    /// <summary>The optimizer, schedule, epochs and batches (<see cref="Description"/> without the network).</summary>
    public required string TrainingDescription { get; init; }
}
