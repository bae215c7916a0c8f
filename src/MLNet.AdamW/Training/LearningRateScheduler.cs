using System.Globalization;

namespace MLNet.AdamW.Training;

/// <summary>The multiplier η_t of a <see cref="LearningRateSchedule"/> at each optimizer step (formulas there).</summary>
internal sealed class LearningRateScheduler
{
    private readonly LearningRateSchedule _schedule;
    private readonly int _stepsPerEpoch;
    private readonly int _stepSize;
    private readonly double _gamma;
    private readonly double _minimumFraction;

    public LearningRateScheduler(
        LearningRateSchedule schedule, int epochs, int stepsPerEpoch, int warmupEpochs, int stepSize, double stepGamma, double minimumFraction)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupEpochs);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        _schedule = schedule;
        _stepsPerEpoch = stepsPerEpoch;
        _stepSize = stepSize;
        _gamma = stepGamma;
        _minimumFraction = minimumFraction;
        TotalSteps = (long)epochs * stepsPerEpoch;
        WarmupSteps = (long)warmupEpochs * stepsPerEpoch;
    }

    /// <summary>T, the number of optimizer steps of the whole run.</summary>
    public long TotalSteps { get; }

    /// <summary>W, the number of warm-up steps.</summary>
    public long WarmupSteps { get; }

    /// <summary>η_t for step t (from 0).</summary>
    public double Multiplier(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var warmup = step < WarmupSteps ? (step + 1) / (double)WarmupSteps : 1.0;
        return warmup * ScheduleFactor(step);
    }

    private double ScheduleFactor(long step)
    {
        switch (_schedule)
        {
            case LearningRateSchedule.Step:
                return Math.Pow(_gamma, step / _stepsPerEpoch / _stepSize);
            case LearningRateSchedule.Cosine:
                var span = TotalSteps - WarmupSteps - 1;
                if (step < WarmupSteps || span <= 0)
                    return 1;
                var progress = Math.Min(1.0, (step - WarmupSteps) / (double)span);
                return _minimumFraction + (1 - _minimumFraction) * (1 + Math.Cos(Math.PI * progress)) / 2;
            default:
                return 1;
        }
    }

    /// <summary>E.g. "cosine schedule to 0.01·α, 1 warm-up epoch".</summary>
    public static string Describe(LearningRateSchedule schedule, int warmupEpochs, int stepSize, double stepGamma, double minimumFraction)
    {
        var c = CultureInfo.InvariantCulture;
        var text = schedule switch
        {
            LearningRateSchedule.Step => string.Create(c, $"step schedule ×{TrainingDescription.Number(stepGamma)} every {stepSize} epoch{(stepSize == 1 ? "" : "s")}"),
            LearningRateSchedule.Cosine => minimumFraction == 0 ? "cosine schedule to 0" : $"cosine schedule to {TrainingDescription.Number(minimumFraction)}·α",
            _ => "constant learning rate",
        };
        if (warmupEpochs > 0)
            text += string.Create(c, $", {warmupEpochs} warm-up epoch{(warmupEpochs == 1 ? "" : "s")}");
        return text;
    }
}
