namespace MLNet.AdamW.Optimizers;

/// <summary>
/// One parameter's share of a step, resolved to raw memory: the fused kernels read and write
/// x, g and the state buffers in a single pass without calling into libtorch.
/// </summary>
internal readonly record struct UpdateTarget(
    nint X,
    nint G,
    nint Buffer0,
    nint Buffer1,
    nint Buffer2,
    long Length,
    bool IsDouble,
    long Step,
    double LearningRate,
    DecayCoefficients Decay);
