using MLNet.AdamW.Internal;
using MLNet.AdamW.Optimizers;

namespace MLNet.AdamW.Training;

/// <summary>
/// Everything <see cref="TrainingLoop"/> needs besides the data and the network layout. The
/// trainers fill it from their options; member names match those options, so validation messages
/// name what the user set.
/// </summary>
internal sealed record TrainingOptions
{
    /// <summary>The optimizer and its settings: <see cref="AdamOptimizerOptions"/> or <see cref="SgdOptimizerOptions"/>.</summary>
    public required WeightDecayOptimizerOptions Optimizer { get; init; }

    /// <summary>True decays every parameter (the paper's code); false spares biases and normalization parameters.</summary>
    public bool DecayAllParameters { get; init; }

    /// <summary>Number of passes over the training data; at least 1.</summary>
    public int NumberOfEpochs { get; init; } = 10;

    /// <summary>Rows per optimizer step; at least 1 (2 with batch norm).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Seeds the initial weights, the shuffling and dropout.</summary>
    public int Seed { get; init; }

    /// <summary>Whether each epoch visits the rows in a new random order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// libtorch's thread count during training (it is process-wide; the previous value is restored
    /// afterwards). Null leaves libtorch's setting alone.
    /// </summary>
    public int? NumberOfThreads { get; init; }

    /// <summary>How the learning rate follows the steps.</summary>
    public LearningRateSchedule LearningRateSchedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Epochs of linear warm-up from 0 to α; 0 to NumberOfEpochs.</summary>
    public int WarmupEpochs { get; init; }

    /// <summary>Epochs between two decays of the step schedule; at least 1.</summary>
    public int StepSize { get; init; } = 10;

    /// <summary>Factor γ of each decay of the step schedule; in (0, 1].</summary>
    public double StepGamma { get; init; } = 0.1;

    /// <summary>Fraction f of α the cosine schedule ends at; in [0, 1].</summary>
    public double MinimumLearningRateFraction { get; init; }

    /// <summary>
    /// Stop after this many epochs without a lower validation loss and return the best epoch's
    /// weights; null never stops early. Needs validation data.
    /// </summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>
    /// For regression: train on standardized labels and fold the scaling into the output layer at the
    /// end (<see cref="LabelScaling"/>). Ignored for classification.
    /// </summary>
    public bool StandardizeLabels { get; init; }

    /// <summary>Where checkpoints are written; null writes none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Epochs between checkpoints (the last epoch always gets one); at least 1.</summary>
    public int CheckpointInterval { get; init; } = 1;

    /// <summary>
    /// Continue from the checkpoint in <see cref="CheckpointDirectory"/> if there is one (a checkpoint
    /// supersedes a warm start); without one, training starts from the beginning.
    /// </summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Multiplies the loss that is back-propagated (never the reported one): the paper's check of
    /// scale-freeness. 1 leaves the gradients alone.
    /// </summary>
    public double LossScale { get; init; } = 1;

    /// <summary>The caller's observers, called after early stopping and the history and before the log, checkpoints and progress.</summary>
    public IReadOnlyList<TrainingObserver> Observers { get; init; } = [];

    /// <summary>Receives <see cref="TrainingProgress"/> reports (see there for when); null reports nothing.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range, or
    /// <see cref="ArgumentException"/> for a contradictory combination.
    /// </summary>
    public void Validate()
    {
        if (Optimizer is null)
            throw new ArgumentNullException(nameof(Optimizer));
        if (Optimizer is not (AdamOptimizerOptions or SgdOptimizerOptions))
            throw new ArgumentException($"Unsupported optimizer options {Optimizer.GetType().Name}.", nameof(Optimizer));
        Optimizer.Validate();
        AtLeast(NumberOfEpochs, 1, nameof(NumberOfEpochs));
        AtLeast(BatchSize, 1, nameof(BatchSize));
        if (NumberOfThreads is { } threads)
            AtLeast(threads, 1, nameof(NumberOfThreads));
        Check.Defined(LearningRateSchedule, nameof(LearningRateSchedule));
        if (WarmupEpochs < 0 || WarmupEpochs > NumberOfEpochs)
            throw new ArgumentOutOfRangeException(nameof(WarmupEpochs), WarmupEpochs,
                $"{nameof(WarmupEpochs)} must be in [0, {nameof(NumberOfEpochs)} = {NumberOfEpochs}]; it was {WarmupEpochs}.");
        AtLeast(StepSize, 1, nameof(StepSize));
        if (!(double.IsFinite(StepGamma) && StepGamma > 0 && StepGamma <= 1))
            throw Check.OutOfRange(nameof(StepGamma), StepGamma, "in (0, 1]");
        Check.InClosed(MinimumLearningRateFraction, 0, 1, nameof(MinimumLearningRateFraction));
        if (EarlyStoppingPatience is { } patience)
            AtLeast(patience, 1, nameof(EarlyStoppingPatience));
        AtLeast(CheckpointInterval, 1, nameof(CheckpointInterval));
        Check.Positive(LossScale, nameof(LossScale));
        if (Observers is null || Observers.Any(o => o is null))
            throw new ArgumentException($"{nameof(Observers)} must not be null or hold a null observer.", nameof(Observers));
        if (CheckpointDirectory is { Length: 0 })
            throw new ArgumentException($"{nameof(CheckpointDirectory)} is empty; give a directory, or null for no checkpoints.", nameof(CheckpointDirectory));
        if (Resume && CheckpointDirectory is null)
            throw new ArgumentException($"{nameof(Resume)} needs a {nameof(CheckpointDirectory)} to resume from.", nameof(Resume));
    }

    private static void AtLeast(int value, int minimum, string name)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {minimum}; it was {value}.");
    }
}
