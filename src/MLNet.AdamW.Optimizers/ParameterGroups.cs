using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// Builds the parameter groups of a module for the common decay mask: decay on weights, none on
/// biases and normalization parameters.
/// </summary>
public static class ParameterGroups
{
    /// <summary>Name of the group that is decayed.</summary>
    public const string DecayGroupName = "decay";

    /// <summary>Name of the group that is spared (λ = 0).</summary>
    public const string NoDecayGroupName = "no_decay";

    /// <summary>
    /// Splits a module's trainable parameters into a decayed group and a spared one.
    /// </summary>
    /// <param name="module">The module whose parameters to group.</param>
    /// <param name="decayAllParameters">
    /// True returns one group with every parameter, as in the paper's code; false (the practice of
    /// Hugging Face, Keras' <c>exclude_from_weight_decay</c> and optax masks) gives biases and the
    /// parameters of normalization layers λ = 0.
    /// </param>
    /// <returns>One or two groups; an empty group is left out.</returns>
    /// <remarks>
    /// A parameter is spared when its name is <c>bias</c> (or ends in <c>.bias</c>) or when it
    /// belongs to a normalization layer: TorchSharp's batch, instance, layer and group norms, and
    /// any module whose type name contains "Norm" (so that custom RMS or weight norms are caught).
    /// </remarks>
    public static IReadOnlyList<ParameterGroup> ForModule(torch.nn.Module module, bool decayAllParameters = false)
    {
        ArgumentNullException.ThrowIfNull(module);
        var named = module.named_parameters().Where(np => np.parameter.requires_grad).ToList();
        if (decayAllParameters)
            return [new ParameterGroup(named.Select(np => np.parameter)) { Name = DecayGroupName }];

        var normPrefixes = module.named_modules()
            .Where(nm => IsNormalization(nm.module))
            .Select(nm => nm.name.Length == 0 ? string.Empty : nm.name + ".")
            .ToList();

        var decay = new List<Parameter>();
        var spared = new List<Parameter>();
        foreach (var (name, parameter) in named)
        {
            var exempt = name == "bias" || name.EndsWith(".bias", StringComparison.Ordinal)
                || normPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
            (exempt ? spared : decay).Add(parameter);
        }

        var groups = new List<ParameterGroup>(2);
        if (decay.Count > 0)
            groups.Add(new ParameterGroup(decay) { Name = DecayGroupName });
        if (spared.Count > 0)
            groups.Add(new ParameterGroup(spared) { Name = NoDecayGroupName, WeightDecay = 0 });
        return groups;
    }

    /// <summary>Whether a module is a normalization layer whose parameters are spared by default.</summary>
    public static bool IsNormalization(torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module is NormBase or LayerNorm or GroupNorm
            || module.GetType().Name.Contains("Norm", StringComparison.Ordinal);
    }
}
