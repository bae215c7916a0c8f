namespace MLNet.AdamW.Model;

/// <summary>What follows a dense layer in the managed forward pass.</summary>
internal enum LayerActivation : byte
{
    Identity = 0,
    ReLU = 1,
    GELU = 2,
    Tanh = 3,
    Sigmoid = 4,
    LeakyReLU = 5,
    SiLU = 6,
}

/// <summary>
/// One affine layer of the managed forward pass, y = act(W·x + b), with any batch normalization
/// (in inference mode an affine map) already folded into W and b.
/// </summary>
internal sealed class DenseLayer
{
    public DenseLayer(int inputs, int outputs, float[] weights, float[] bias, LayerActivation activation, float negativeSlope = 0.01f)
    {
        if (inputs <= 0 || outputs <= 0 || weights.Length != (long)inputs * outputs || bias.Length != outputs)
            throw new InvalidDataException($"A dense layer of {inputs} → {outputs} needs {inputs * (long)outputs} weights and {outputs} biases; it has {weights.Length} and {bias.Length}.");
        if (!Enum.IsDefined(activation))
            throw new InvalidDataException($"Unknown activation code {(int)activation}.");
        Inputs = inputs;
        Outputs = outputs;
        Weights = weights;
        Bias = bias;
        Activation = activation;
        NegativeSlope = negativeSlope;
    }

    public int Inputs { get; }

    public int Outputs { get; }

    /// <summary>Row-major, <see cref="Outputs"/> rows of <see cref="Inputs"/>.</summary>
    public float[] Weights { get; }

    public float[] Bias { get; }

    public LayerActivation Activation { get; set; }

    /// <summary>Slope for negative inputs of <see cref="LayerActivation.LeakyReLU"/>.</summary>
    public float NegativeSlope { get; set; }
}
