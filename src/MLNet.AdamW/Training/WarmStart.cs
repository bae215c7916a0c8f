namespace MLNet.AdamW.Training;

/// <summary>Where a training run starts instead of freshly initialized weights.</summary>
/// <param name="NetworkWeights">Weights saved with <c>NetworkDefinition.SaveWeights</c> from a network of the same layout.</param>
/// <param name="Source">How messages refer to it, e.g. "the model passed to Fit".</param>
internal sealed record WarmStart(byte[] NetworkWeights, string Source = "the initial model");
