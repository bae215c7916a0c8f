namespace MLNet.AdamW;

/// <summary>The optimization algorithm a trainer uses.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (with the chosen weight-decay mode: AdamW, AdamProx or Adam-ℓ2).</summary>
    Adam = 0,

    /// <summary>Stochastic gradient descent with momentum (with the chosen weight-decay mode).</summary>
    Sgd = 1,
}
