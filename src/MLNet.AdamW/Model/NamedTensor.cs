namespace MLNet.AdamW.Model;

/// <summary>One tensor of a trained network, by its TorchSharp <c>state_dict</c> name: shape and Float32 values (row-major).</summary>
internal sealed record NamedTensor(string Name, long[] Shape, float[] Values);
