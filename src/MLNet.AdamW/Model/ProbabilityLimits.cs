namespace MLNet.AdamW.Model;

/// <summary>
/// The range every probability our models output is clamped to, in managed scoring and in the ONNX
/// export alike: binary Probability = min(max(σ(score), 2⁻²⁴), 1 − 2⁻²⁴), multiclass
/// Score_k = min(max(softmax_k, 2⁻²⁴), 1 − 2⁻²⁴) with no renormalisation.
/// </summary>
/// <remarks>
/// A float σ or softmax rounds to exactly 0 or 1 for large scores, and ML.NET's log-loss then turns
/// one confident mistake into an infinite loss. 2⁻²⁴ is the spacing of floats just below 1, so
/// 1 − 2⁻²⁴ is the largest float below 1 and both limits are exact in float.
/// </remarks>
internal static class ProbabilityLimits
{
    /// <summary>2⁻²⁴, the smallest probability a model outputs.</summary>
    public const float ProbabilityFloor = 1f / 16777216;

    /// <summary>1 − 2⁻²⁴, the largest probability a model outputs (the largest float below 1).</summary>
    public const float ProbabilityCeiling = 1 - ProbabilityFloor;
}
