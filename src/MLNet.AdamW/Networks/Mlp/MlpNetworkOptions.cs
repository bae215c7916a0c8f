using MLNet.AdamW.Internal;
using MLNet.AdamW.Networks;

namespace MLNet.AdamW;

/// <summary>
/// A multilayer perceptron: Linear → [BatchNorm1d] → activation → [Dropout] per hidden layer, then a
/// linear output layer. The default network.
/// </summary>
public sealed class MlpNetworkOptions : NetworkOptions
{
    /// <summary>Widths of the hidden layers, input side first; empty for a linear model.</summary>
    /// <value>Default { 128, 128 } (see <see cref="AdamWTrainerDefaults.HiddenLayerWidth"/>). Each width ≥ 1.</value>
    public int[] HiddenLayers { get; set; } = [AdamWTrainerDefaults.HiddenLayerWidth, AdamWTrainerDefaults.HiddenLayerWidth];

    /// <summary>The activation after each hidden layer.</summary>
    /// <value>Default <see cref="MLNet.AdamW.Activation.ReLU"/>.</value>
    public Activation Activation { get; set; } = Activation.ReLU;

    /// <summary>Whether each hidden layer is followed by batch normalization.</summary>
    /// <value>Default false. The paper finds AdamW's advantage over Adam-ℓ2 largest without it.</value>
    public bool BatchNorm { get; set; }

    /// <summary>Dropout probability after each hidden layer.</summary>
    /// <value>Default 0. In [0, 1).</value>
    public double Dropout { get; set; }

    internal override bool HasBatchNorm => BatchNorm;

    internal override void Validate()
    {
        if (HiddenLayers is null)
            throw new ArgumentOutOfRangeException(nameof(HiddenLayers), "HiddenLayers must not be null (use an empty array for a linear model).");
        for (var i = 0; i < HiddenLayers.Length; i++)
            if (HiddenLayers[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(HiddenLayers), HiddenLayers[i], $"{nameof(HiddenLayers)}[{i}] must be ≥ 1; it was {HiddenLayers[i]}.");
        Check.Defined(Activation, nameof(Activation));
        Check.InHalfOpen(Dropout, 0, 1, nameof(Dropout));
    }

    internal override NetworkDefinition Define(int inputSize, ImageShape? imageShape, int outputSize) =>
        new MlpNetwork(inputSize, HiddenLayers, Activation, BatchNorm, Dropout, outputSize);
}
