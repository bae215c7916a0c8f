using static TorchSharp.torch;

namespace MLNet.AdamW.Training;

/// <summary>Rows as tensors, for <see cref="NetworkTrainer"/>: features, labels and optional example weights.</summary>
/// <remarks>The trainer copies the values once, when training starts; the tensors stay the caller's.</remarks>
public sealed class TensorData
{
    /// <summary>Rows for training or validation.</summary>
    /// <param name="features">[n, f], floating point, every value finite.</param>
    /// <param name="labels">[n] (or [n, 1]): 0/1 or Boolean for binary classification, class indices 0…K−1 for multiclass, values for regression.</param>
    /// <param name="weights">Null, or [n] example weights, finite and greater than 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="features"/> or <paramref name="labels"/> is null.</exception>
    public TensorData(Tensor features, Tensor labels, Tensor? weights = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        Features = features;
        Labels = labels;
        Weights = weights;
    }

    /// <summary>The features, [n, f].</summary>
    public Tensor Features { get; }

    /// <summary>The labels, [n].</summary>
    public Tensor Labels { get; }

    /// <summary>The example weights, [n], or null.</summary>
    public Tensor? Weights { get; }
}
