using Microsoft.ML.Data;
using MLNet.AdamW.Optimizers;

namespace MLNet.AdamW.Training;

/// <summary>
/// How <see cref="NetworkTrainer"/> trains a network: the task, the optimizer, the schedule, the run
/// length, early stopping and observers. Every member is a plain settable value, checked once by
/// <see cref="Validate"/> when training starts.
/// </summary>
public sealed class NetworkTrainingOptions
{
    /// <summary>What the network learns, which decides the loss. Must be set.</summary>
    public TrainingTask Task { get; set; }

    /// <summary>The optimizer and its settings: <see cref="AdamOptimizerOptions"/> or <see cref="SgdOptimizerOptions"/>.</summary>
    /// <value>Default: Adam with its defaults (AdamW, λ = 1e-2, learning-rate scaling).</value>
    public WeightDecayOptimizerOptions Optimizer { get; set; } = new AdamOptimizerOptions();

    /// <summary>Whether biases and normalization parameters are decayed too (as in the paper's code).</summary>
    /// <value>Default false: they are spared (<see cref="ParameterGroups.ForModule"/>).</value>
    public bool DecayAllParameters { get; set; }

    /// <summary>Passes over the training data.</summary>
    /// <value>Default 10. ≥ 1.</value>
    public int NumberOfEpochs { get; set; } = 10;

    /// <summary>Rows per minibatch (one optimizer step each).</summary>
    /// <value>Default 32. ≥ 1 (≥ 2 when the network has batch norm).</value>
    public int BatchSize { get; set; } = AdamWTrainerDefaults.BatchSize;

    /// <summary>Seeds the minibatch order and dropout (the network arrives initialized).</summary>
    /// <value>Default 0.</value>
    public int Seed { get; set; }

    /// <summary>Whether each epoch visits the rows in a new random order.</summary>
    /// <value>Default true.</value>
    public bool Shuffle { get; set; } = true;

    /// <summary>libtorch's thread count during training (restored afterwards).</summary>
    /// <value>Default null: libtorch's setting is left alone. ≥ 1.</value>
    public int? NumberOfThreads { get; set; }

    /// <summary>The learning-rate schedule after the warm-up.</summary>
    /// <value>Default <see cref="LearningRateSchedule.Constant"/>.</value>
    public LearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>Epochs of linear warm-up from 0 to α.</summary>
    /// <value>Default 0. In [0, <see cref="NumberOfEpochs"/>].</value>
    public int WarmupEpochs { get; set; }

    /// <summary>For <see cref="LearningRateSchedule.Step"/>: epochs between multiplications by <see cref="StepGamma"/>.</summary>
    /// <value>Default 10. ≥ 1.</value>
    public int StepSize { get; set; } = 10;

    /// <summary>For <see cref="LearningRateSchedule.Step"/>: the factor γ.</summary>
    /// <value>Default 0.1. In (0, 1].</value>
    public double StepGamma { get; set; } = 0.1;

    /// <summary>For <see cref="LearningRateSchedule.Cosine"/>: the final rate as a fraction of α.</summary>
    /// <value>Default 0. In [0, 1].</value>
    public double MinimumLearningRateFraction { get; set; }

    /// <summary>Stop when the validation loss has not improved for this many epochs, and put the best epoch's weights back.</summary>
    /// <value>Default null (train all epochs). ≥ 1. Needs validation data.</value>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>Multiplies the loss that is back-propagated, never the reported one: the paper's check of scale-freeness
    /// (a scale-free optimizer takes the same steps for any multiplier).</summary>
    /// <value>Default 1. Finite and &gt; 0.</value>
    public double LossScale { get; set; } = 1;

    /// <summary>Observers of the run, called in this order after the built-in early stopping and history.</summary>
    /// <value>Default empty.</value>
    public IList<TrainingObserver> Observers { get; } = new List<TrainingObserver>();

    /// <summary>Receives one line per epoch, as the trainers write to <c>mlContext.Log</c>.</summary>
    /// <value>Default null.</value>
    public Action<string>? Log { get; set; }

    /// <summary>Receives where training is (see <see cref="TrainingProgress"/>).</summary>
    /// <value>Default null.</value>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Checked before every minibatch; cancelling ends training with <see cref="OperationCanceledException"/>.</summary>
    /// <value>Default <see cref="CancellationToken.None"/>.</value>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>For an <c>IDataView</c>: the feature column, a known-size vector of Single.</summary>
    /// <value>Default "Features".</value>
    public string FeatureColumnName { get; set; } = DefaultColumnNames.Features;

    /// <summary>For an <c>IDataView</c>: the label column (Boolean for binary, a key for multiclass, Single for regression).</summary>
    /// <value>Default "Label".</value>
    public string LabelColumnName { get; set; } = DefaultColumnNames.Label;

    /// <summary>For an <c>IDataView</c>: an optional column of Single example weights.</summary>
    /// <value>Default null.</value>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>Checks every option; throws <see cref="ArgumentOutOfRangeException"/> or <see cref="ArgumentException"/> naming the first one wrong.</summary>
    public void Validate() => ToTrainingOptions().Validate();

    internal TrainingOptions ToTrainingOptions()
    {
        if (!Enum.IsDefined(Task))
            throw new ArgumentOutOfRangeException(nameof(Task), Task,
                $"{nameof(Task)} must be set to {nameof(TrainingTask.BinaryClassification)}, {nameof(TrainingTask.MulticlassClassification)} or {nameof(TrainingTask.Regression)}.");
        if (string.IsNullOrWhiteSpace(FeatureColumnName))
            throw new ArgumentOutOfRangeException(nameof(FeatureColumnName), FeatureColumnName, $"{nameof(FeatureColumnName)} must name a column.");
        if (string.IsNullOrWhiteSpace(LabelColumnName))
            throw new ArgumentOutOfRangeException(nameof(LabelColumnName), LabelColumnName, $"{nameof(LabelColumnName)} must name a column.");
        if (ExampleWeightColumnName is { Length: 0 })
            throw new ArgumentOutOfRangeException(nameof(ExampleWeightColumnName), ExampleWeightColumnName, $"{nameof(ExampleWeightColumnName)} must be null or name a column.");
        return new TrainingOptions
        {
            Optimizer = Optimizer,
            DecayAllParameters = DecayAllParameters,
            NumberOfEpochs = NumberOfEpochs,
            BatchSize = BatchSize,
            Seed = Seed,
            Shuffle = Shuffle,
            NumberOfThreads = NumberOfThreads,
            LearningRateSchedule = LearningRateSchedule,
            WarmupEpochs = WarmupEpochs,
            StepSize = StepSize,
            StepGamma = StepGamma,
            MinimumLearningRateFraction = MinimumLearningRateFraction,
            EarlyStoppingPatience = EarlyStoppingPatience,
            LossScale = LossScale,
            Observers = [.. Observers],
            Progress = Progress,
        };
    }
}
