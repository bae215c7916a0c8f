using MLNet.AdamW.Optimizers;

namespace MLNet.AdamW.Sweeps;

/// <summary>What <see cref="Sweep.Tune{TOptions}"/> searches and how long.</summary>
/// <typeparam name="TOptions">The trainer's options type.</typeparam>
public sealed class TuneOptions<TOptions>
    where TOptions : AdamWTrainerOptions, new()
{
    /// <summary>The options every trial starts from (label column, network, epochs, …), one new object per call.</summary>
    /// <value>Default <c>new TOptions()</c>: the trainer's defaults.</value>
    public Func<TOptions> BaseOptions { get; set; } = () => new TOptions();

    /// <summary>The metric, by ML.NET name or short name (auc, macro-accuracy, rmse, …).</summary>
    /// <value>Default null: AUC for binary classification, macro accuracy for multiclass, RMSE for regression.</value>
    public string? Metric { get; set; }

    /// <summary>How each trial is measured.</summary>
    /// <value>Default 3-fold cross-validation (a trial that successive halving stops runs only its first fold).</value>
    public SweepEvaluation Evaluation { get; set; } = SweepEvaluation.CrossValidation(3);

    /// <summary>The learning rates α tried.</summary>
    /// <value>Default 1e-3, 3e-3, 1e-2, 3e-2: around the trainers' default 1e-2, a factor of ~3 apart.</value>
    public IReadOnlyList<double> LearningRates { get; set; } = [1e-3, 3e-3, 1e-2, 3e-2];

    /// <summary>The weight decays λ tried.</summary>
    /// <value>Default 0, 1e-3, 1e-2, 3e-2, 0.1, 0.3, 1: from none through the default 3e-2 to strong (with the default
    /// learning-rate scaling, λ = 1 at α = 1e-2 shrinks the weights by 1 % per step).</value>
    public IReadOnlyList<double> WeightDecays { get; set; } = [0, 1e-3, 1e-2, 3e-2, 0.1, 0.3, 1];

    /// <summary>The decay modes tried; null or empty keeps the base options' mode.</summary>
    /// <value>Default null. E.g. L2, Decoupled, Proximal to compare Adam-ℓ2, AdamW and AdamProx.</value>
    public IReadOnlyList<WeightDecayMode>? WeightDecayModes { get; set; }

    /// <summary>The most trials to run; the grid's cells when null or larger.</summary>
    /// <value>Default null (every cell; the grid's seeded order decides which come first under a time budget).</value>
    public int? Trials { get; set; }

    /// <summary>Stop starting trials after this long (the trial running then finishes); null for no limit.</summary>
    /// <value>Default null.</value>
    public TimeSpan? TimeBudget { get; set; }

    /// <summary>Successive halving's reduction factor η (rungs at r·η^k epochs, r = max(1, epochs / η²)).</summary>
    /// <value>Default 3.</value>
    public int ReductionFactor { get; set; } = 3;

    /// <summary>The study seed: the grid's order, each trial's training seed, the folds.</summary>
    /// <value>Default 0.</value>
    public int Seed { get; set; }

    /// <summary>Where the study is kept; null for an in-memory store the tuner disposes of.</summary>
    /// <value>Default null.</value>
    public IStudyStore? Store { get; set; }

    /// <summary>The study's name in <see cref="Store"/>.</summary>
    /// <value>Default "tune".</value>
    public string StudyName { get; set; } = "tune";
}
