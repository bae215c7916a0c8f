namespace MLNet.AdamW.Sweeps;

/// <summary>
/// What makes a study the same study: its name, search space, data, objective, strategy and seed.
/// A store keeps the definition of the first call and compares every later one with it.
/// </summary>
/// <param name="Name">The study's name, unique in its store.</param>
/// <param name="SearchSpaceJson">The search space as canonical JSON (every option, its kind and range or values).</param>
/// <param name="SearchSpaceFingerprint">A hash of <paramref name="SearchSpaceJson"/>; equal spaces have equal fingerprints.</param>
/// <param name="DataFingerprint">A hash of the training data's schema and rows.</param>
/// <param name="Metric">The objective's metric name, e.g. "AreaUnderRocCurve".</param>
/// <param name="Maximize">Whether a larger metric is better.</param>
/// <param name="StrategyJson">The strategy and its parameters as JSON, e.g. {"kind":"asha","minEpochs":1,"reductionFactor":3}.</param>
/// <param name="Seed">The study seed; each trial's options and training seed derive from it and the trial number only.</param>
/// <param name="LibraryVersion">The MLNet.AdamW version that created the study.</param>
public sealed record StudyDefinition(
    string Name,
    string SearchSpaceJson,
    string SearchSpaceFingerprint,
    string DataFingerprint,
    string Metric,
    bool Maximize,
    string StrategyJson,
    int Seed,
    string LibraryVersion);

/// <summary>A study as its store holds it.</summary>
/// <param name="Id">The store's key for the study.</param>
/// <param name="Definition">The definition it was created with.</param>
/// <param name="Created">When it was created (the store's clock).</param>
public sealed record StudyInfo(long Id, StudyDefinition Definition, DateTimeOffset Created);
