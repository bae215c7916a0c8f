using MLNet.AdamW.Sweeps;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Cli.Arguments;

/// <summary>A <c>mlnet-adamw sweep</c> command line, validated: everything a worker needs to run its share of the study.</summary>
internal sealed record SweepSettings
{
    public required string Dataset { get; init; }

    public required string LabelColumn { get; init; }

    public required TrainingTask Task { get; init; }

    public bool HasHeader { get; init; }

    public char Separator { get; init; } = ',';

    /// <summary>The store, as the factory reads it: <c>sqlite:path</c> or <c>postgres:connection string</c>.</summary>
    public required string Storage { get; init; }

    public required string Study { get; init; }

    public required StrategyKind Strategy { get; init; }

    /// <summary>The study's total number of trials (not per run, not per worker); null for a grid: one per cell.</summary>
    public int? Trials { get; init; }

    public int Workers { get; init; } = 1;

    /// <summary>k of k-fold cross-validation; null for a holdout.</summary>
    public int? CrossValidationFolds { get; init; }

    /// <summary>The holdout fraction when not cross-validating.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    public required SweepMetric Metric { get; init; }

    /// <summary>The metric's short name, as the display shows it (micro-accuracy, rmse, …).</summary>
    public string MetricName => Metric.Aliases.Count > 0 ? Metric.Aliases[0] : Metric.Name;

    public required IReadOnlyList<ParameterSetting> Parameters { get; init; }

    public required string Output { get; init; }

    public IReadOnlyList<string> IgnoreColumns { get; init; } = [];

    public int Seed { get; init; } = 1;

    /// <summary>ASHA's smallest resource: epochs a trial trains before its first rung.</summary>
    public int MinEpochs { get; init; } = 1;

    /// <summary>ASHA's η: the top 1/η at a rung go on.</summary>
    public int ReductionFactor { get; init; } = 3;

    /// <summary>libtorch threads in each worker process.</summary>
    public int ThreadsPerWorker { get; init; } = 1;

    /// <summary>How long a running trial may go without a heartbeat before it is taken as dead and re-queued.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether this process is a spawned worker: it runs trials only, no display, no outputs.</summary>
    public bool IsWorker { get; init; }

    /// <summary>For a spawned worker: the process that spawned it (the worker stops when it is gone).</summary>
    public int? ParentProcessId { get; init; }

    /// <summary>Plain progress lines even on a terminal.</summary>
    public bool PlainProgress { get; init; }
}
