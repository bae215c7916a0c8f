namespace MLNet.AdamW;

/// <summary>The nonlinearity after each hidden layer of a network.</summary>
public enum Activation
{
    /// <summary>max(0, x): the usual default; cheap, and the gradient does not vanish for x &gt; 0.</summary>
    ReLU = 0,

    /// <summary>x·Φ(x) with Φ the standard normal CDF (exact, not the tanh approximation): a smooth ReLU, common in transformers.</summary>
    GELU = 1,

    /// <summary>tanh(x): smooth and zero-centred, saturates at ±1.</summary>
    Tanh = 2,

    /// <summary>1 / (1 + e^−x): smooth, saturates at 0 and 1; mostly of historical interest in hidden layers.</summary>
    Sigmoid = 3,

    /// <summary>x for x ≥ 0, 0.01·x otherwise: a ReLU whose units cannot die.</summary>
    LeakyReLU = 4,

    /// <summary>x·σ(x) (also called Swish): smooth and non-monotonic.</summary>
    SiLU = 5,
}
