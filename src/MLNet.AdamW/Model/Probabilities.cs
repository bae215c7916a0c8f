namespace MLNet.AdamW.Model;

/// <summary>
/// The probabilities a model outputs, from its scores: the one rule of the managed scoring (and of
/// any export that must match it).
/// </summary>
/// <remarks>
/// <para>Binary: Probability = min(max(σ(score), 2⁻²⁴), 1 − 2⁻²⁴), in float32, with σ computed
/// without overflow. Multiclass: Score_k = min(max(softmax_k, 2⁻²⁴), 1 − 2⁻²⁴) per class, the
/// softmax computed after subtracting the largest output, and not renormalised after clamping.</para>
/// <para>Why clamp: in float32, σ(s) rounds to exactly 1 for s ≳ 17 and to 0 for s ≲ −104, so a
/// confident model would give ML.NET's log-loss an infinite term for a single wrong row.
/// 2⁻²⁴ is the float32 spacing just below 1, so 1 − 2⁻²⁴ is the largest float below 1 and every
/// clamped probability stays a representable float; a wrong row then costs at most
/// 24·ln 2 ≈ 16.6 nats.</para>
/// </remarks>
internal static class Probabilities
{
    /// <summary>2⁻²⁴: the smallest probability a model outputs; 1 − it is the largest.</summary>
    public const float Floor = 1f / (1 << 24);

    /// <summary>1 − 2⁻²⁴ (exact in float32).</summary>
    public const float Ceiling = 1f - Floor;

    /// <summary>The binary probability of a score (a logit).</summary>
    public static float Binary(float score) => Clamp(ManagedForward.Sigmoid(score));

    /// <summary>Replaces the outputs by their softmax, each clamped to [2⁻²⁴, 1 − 2⁻²⁴].</summary>
    public static void Softmax(Span<float> values)
    {
        var max = float.NegativeInfinity;
        foreach (var v in values)
            max = MathF.Max(max, v);
        var sum = 0.0;
        foreach (ref var v in values)
        {
            v = MathF.Exp(v - max);
            sum += v;
        }
        foreach (ref var v in values)
            v = Clamp((float)(v / sum));
    }

    // NaN stays NaN (a non-finite score is not hidden behind a probability).
    private static float Clamp(float p) => p < Floor ? Floor : p > Ceiling ? Ceiling : p;
}
