using MLNet.AdamW.Internal;
using TorchSharp.Modules;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// A parameter group as an optimizer runs it: its current and initial learning rates (which
/// TorchSharp's learning-rate schedulers read and write through <see cref="ParamGroup"/>) and
/// its weight decay.
/// </summary>
public sealed class OptimizerParameterGroup : ParamGroup
{
    private double _weightDecay;

    internal OptimizerParameterGroup(IReadOnlyList<Parameter> parameters, string? name, double learningRate, double weightDecay)
    {
        Parameters = parameters;
        Name = name;
        Options = new OptimizerOptions { LearningRate = learningRate, InitialLearningRate = learningRate };
        _weightDecay = weightDecay;
    }

    /// <summary>The group's name, if it was given one.</summary>
    public string? Name { get; }

    /// <summary>The group's parameters, in update order.</summary>
    public new IReadOnlyList<Parameter> Parameters
    {
        get => (IReadOnlyList<Parameter>)base.Parameters;
        private init => base.Parameters = value;
    }

    /// <summary>The group's weight decay λ.</summary>
    /// <value>Finite and ≥ 0.</value>
    public double WeightDecay
    {
        get => _weightDecay;
        set
        {
            Check.NonNegative(value, nameof(WeightDecay));
            _weightDecay = value;
        }
    }
}
