using MLNet.AdamW.Internal;
using TorchSharp.Modules;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// A set of parameters with optional overrides of the optimizer's learning rate and weight decay,
/// e.g. λ = 0 for biases and normalization parameters (a decay mask).
/// </summary>
/// <remarks>Build the usual two groups of a module with <see cref="ParameterGroups.ForModule"/>.</remarks>
public sealed class ParameterGroup
{
    /// <summary>Creates a group of the given parameters.</summary>
    /// <param name="parameters">The parameters; each may belong to only one group of an optimizer.</param>
    public ParameterGroup(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (Parameters.Any(p => p is null))
            throw new ArgumentException("A parameter group contains a null parameter.", nameof(parameters));
    }

    /// <summary>The parameters of this group.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>A name for messages and diagnostics, e.g. "decay" or "no_decay".</summary>
    public string? Name { get; init; }

    /// <summary>This group's learning rate α; null takes the optimizer's.</summary>
    /// <value>Null, or finite and greater than 0.</value>
    public double? LearningRate { get; init; }

    /// <summary>This group's weight decay λ; null takes the optimizer's, 0 spares the group.</summary>
    /// <value>Null, or finite and ≥ 0.</value>
    public double? WeightDecay { get; init; }

    /// <param name="index">The group's position among the optimizer's groups, which names it when it has no name.</param>
    internal void Validate(int index)
    {
        if (LearningRate is { } lr)
            Check.Positive(lr, OptionName(index, Name, nameof(LearningRate)));
        if (WeightDecay is { } wd)
            Check.NonNegative(wd, OptionName(index, Name, nameof(WeightDecay)));
    }

    /// <summary>"parameter group 0 ('decay')", or "parameter group 1 (unnamed)": how messages name a group.</summary>
    internal static string Describe(int index, string? name) =>
        string.IsNullOrEmpty(name) ? $"parameter group {index} (unnamed)" : $"parameter group {index} ('{name}')";

    /// <summary>"ParameterGroup 'decay'.WeightDecay", or "ParameterGroup[1].WeightDecay" for an unnamed group: an option's name in exceptions.</summary>
    internal static string OptionName(int index, string? name, string option) =>
        string.IsNullOrEmpty(name) ? $"ParameterGroup[{index}].{option}" : $"ParameterGroup '{name}'.{option}";
}
