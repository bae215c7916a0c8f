using static TorchSharp.torch;

namespace MLNet.AdamW.Data;

/// <summary>The tensors of one minibatch (see <see cref="TabularData.CreateBatch"/>).</summary>
/// <param name="Features">[n, features], Float32.</param>
/// <param name="Labels">[n]: Int64 class indices for multiclass, Float32 otherwise.</param>
/// <param name="Weights">[n] Float32 example weights, or null when the data is unweighted.</param>
/// <param name="WeightSum">The sum of the weights, or n when unweighted.</param>
internal readonly record struct Minibatch(Tensor Features, Tensor Labels, Tensor? Weights, double WeightSum);
