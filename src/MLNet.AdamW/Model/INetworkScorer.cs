using MLNet.AdamW.Networks;

namespace MLNet.AdamW.Model;

/// <summary>
/// Scores one row with a trained network: the raw outputs (a logit, K class logits or a value) of one
/// dense input row. Built from the saved model by <see cref="For"/>; safe to call from any number of
/// threads at once (ML.NET calls the mapper from several), without allocating per row.
/// </summary>
internal interface INetworkScorer
{
    /// <summary>Length of an input row.</summary>
    int Inputs { get; }

    /// <summary>Length of the output.</summary>
    int Outputs { get; }

    /// <summary>Runs the network in inference mode on one row of <see cref="Inputs"/> values into <see cref="Outputs"/> values.</summary>
    void Run(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>
    /// The scorer of a model: the managed dense pass for an MLP (no libtorch, batch norm folded in), a
    /// libtorch module in eval mode for the convolutional networks (and for any other network).
    /// </summary>
    static INetworkScorer For(ModelContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return content.Network is MlpNetwork mlp
            ? new ManagedForward(NetworkExport.ToDenseLayers(mlp, content.Tensors))
            : new TorchScorer(content.Network, content.Tensors);
    }
}
