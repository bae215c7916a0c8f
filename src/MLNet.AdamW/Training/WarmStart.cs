namespace MLNet.AdamW.Training;

/// <summary>Where a training run starts instead of freshly initialized weights.</summary>
/// <param name="NetworkWeights">Weights saved with <c>NetworkSpec.SaveWeights</c> from a network of the same layout.</param>
/// <param name="OptimizerState">Optionally, the optimizer's state (<c>SaveState</c>) to continue its moments and step counts;
/// the learning rate and weight decay still come from the new options.</param>
/// <param name="Source">How messages refer to it, e.g. "the model passed to Fit".</param>
internal sealed record WarmStart(byte[] NetworkWeights, byte[]? OptimizerState = null, string Source = "the initial model");
