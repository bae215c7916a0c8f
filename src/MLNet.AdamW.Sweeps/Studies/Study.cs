using System.Reflection;

namespace MLNet.AdamW.Sweeps;

/// <summary>Creates and opens studies (<see cref="Study{TOptions}"/>).</summary>
public static class Study
{
    /// <summary>The version of this library, as a study and its trials record it.</summary>
    public static string LibraryVersion { get; } =
        typeof(Study).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Study).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>
    /// Creates the study <paramref name="name"/> in <paramref name="store"/>, or opens it if it exists with the
    /// same search space, data, metric, strategy and seed (otherwise <see cref="StudyMismatchException"/>,
    /// unless <paramref name="allowMismatch"/>).
    /// </summary>
    public static Study<TOptions> CreateOrOpen<TOptions>(IStudyStore store, string name, SearchSpace<TOptions> space, SweepObjective<TOptions> objective,
        SweepStrategy strategy, int seed = 0, bool allowMismatch = false)
        where TOptions : AdamWTrainerOptions, new()
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(strategy);
        if (space.Options.Count == 0)
            throw new ArgumentException("The search space sweeps no option; add a Grid, Choice, Uniform or LogUniform.", nameof(space));
        // A grid needs listed values: fail now, not at the first claim.
        strategy.TrialCount(1, space.GridSize);
        if (strategy is AshaStrategy && objective.HasPipelineFactory && space.NewBaseOptions().ValidationFraction <= 0
            && !space.Options.Contains(nameof(AdamWTrainerOptions.ValidationFraction)))
            throw new ArgumentException(
                $"Successive halving ranks trials by the trainer's per-epoch validation loss, and a pipeline factory gives the trainer no held-out rows: set {nameof(AdamWTrainerOptions.ValidationFraction)} in the base options, or build the objective from a featurization.",
                nameof(strategy));
        var definition = new StudyDefinition(name, space.ToJson(), space.Fingerprint, objective.DataFingerprint, objective.Metric.Name,
            objective.Metric.Maximize, strategy.ToJson(), seed, LibraryVersion);
        return new Study<TOptions>(store, store.CreateOrOpenStudy(definition, allowMismatch), space, objective, strategy);
    }

}
