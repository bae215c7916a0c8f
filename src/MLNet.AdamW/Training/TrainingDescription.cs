using System.Globalization;
using MLNet.AdamW.Optimizers;

namespace MLNet.AdamW.Training;

/// <summary>Human-readable and exact descriptions of a training setup.</summary>
internal static class TrainingDescription
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A number as a user would write it, "1e-8" rather than "1E-08": the shortest exact form, or rounded to the given significant digits.</summary>
    public static string Number(double value, int digits = 0)
    {
        var text = value.ToString(digits > 0 ? "G" + digits.ToString(Invariant) : "G", Invariant);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        if (e < 0)
            return text;
        var exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, Invariant);
        return text[..e] + "e" + exponent.ToString(Invariant);
    }

    /// <summary>The paper's name for an optimizer and decay mode: Adam, Adam-ℓ2, AdamW, AdamProx (SGD likewise).</summary>
    public static string OptimizerName(WeightDecayOptimizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var family = options is SgdOptimizerOptions ? "SGD" : "Adam";
        return options.WeightDecayMode switch
        {
            WeightDecayMode.L2 => family + "-ℓ2",
            WeightDecayMode.Decoupled => family + "W",
            WeightDecayMode.Proximal => family + "Prox",
            _ => family,
        };
    }

    /// <summary>E.g. "AdamW: α = 0.001, λ = 0.01 (learning-rate scaling, biases and norms spared), β = (0.9, 0.999), ε = 1e-08".</summary>
    public static string Optimizer(WeightDecayOptimizerOptions options, bool decayAllParameters)
    {
        var text = $"{OptimizerName(options)}: α = {Number(options.LearningRate)}";
        if (options.WeightDecayMode != WeightDecayMode.None)
        {
            var scaling = options.WeightDecayScaling == WeightDecayScaling.LearningRate ? "learning-rate scaling" : "schedule scaling";
            var spared = decayAllParameters ? "all parameters decayed" : "biases and norms spared";
            text += $", λ = {Number(options.WeightDecay)} ({scaling}, {spared})";
        }
        switch (options)
        {
            case AdamOptimizerOptions adam:
                text += $", β = ({Number(adam.Beta1)}, {Number(adam.Beta2)}), ε = {Number(adam.Epsilon)}";
                if (adam.AmsGrad)
                    text += ", AMSGrad";
                break;
            case SgdOptimizerOptions sgd when sgd.Momentum > 0:
                text += $", momentum {Number(sgd.Momentum)}";
                if (sgd.Dampening > 0)
                    text += $", dampening {Number(sgd.Dampening)}";
                if (sgd.Nesterov)
                    text += " (Nesterov)";
                break;
        }
        return text;
    }

    /// <summary>Every optimizer setting, to the last bit, for comparing setups.</summary>
    public static string OptimizerKey(WeightDecayOptimizerOptions options, bool decayAllParameters)
    {
        var text = string.Create(Invariant,
            $"{options.GetType().Name} lr={options.LearningRate:R} wd={options.WeightDecay:R} mode={options.WeightDecayMode} scaling={options.WeightDecayScaling} decayAll={decayAllParameters}");
        return options switch
        {
            AdamOptimizerOptions a => text + string.Create(Invariant, $" beta1={a.Beta1:R} beta2={a.Beta2:R} eps={a.Epsilon:R} amsgrad={a.AmsGrad}"),
            SgdOptimizerOptions s => text + string.Create(Invariant, $" momentum={s.Momentum:R} dampening={s.Dampening:R} nesterov={s.Nesterov}"),
            _ => text,
        };
    }
}
