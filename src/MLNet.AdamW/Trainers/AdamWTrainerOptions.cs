using Microsoft.ML.Data;
using MLNet.AdamW.Internal;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Training;

namespace MLNet.AdamW;

/// <summary>
/// Options shared by the AdamW trainers: columns, network, optimizer, schedule and training.
/// Every member is a plain settable value, validated once when the trainer is created.
/// </summary>
public abstract class AdamWTrainerOptions
{
    private protected AdamWTrainerOptions(int numberOfEpochs)
    {
        NumberOfEpochs = numberOfEpochs;
    }

    /// <summary>The label column.</summary>
    /// <value>Default "Label". Binary: Boolean; multiclass: a key (add <c>MapValueToKey</c>); regression: Single.</value>
    public string LabelColumnName { get; set; } = DefaultColumnNames.Label;

    /// <summary>The feature column: a known-size vector of Single.</summary>
    /// <value>Default "Features".</value>
    public string FeatureColumnName { get; set; } = DefaultColumnNames.Features;

    /// <summary>An optional column of Single example weights (rows with weight 0 are left out).</summary>
    /// <value>Default null (every row weighs 1).</value>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>The network: <see cref="MlpNetworkOptions"/> (hidden layers, activation, batch norm, dropout).</summary>
    /// <value>Default a new <see cref="MlpNetworkOptions"/>: two hidden layers of 128, ReLU, no batch norm, no dropout. Not null.</value>
    public NetworkOptions Network { get; set; } = new MlpNetworkOptions();

    /// <summary>How the feature vector is an image (channels × height × width, CHW), for the convolutional networks.</summary>
    /// <value>Default null: taken from the feature column when its vector type has three dimensions (e.g. after
    /// <c>ExtractPixels</c>), otherwise none. When both are given they must agree, and the shape's size must be the vector's.</value>
    public ImageShape? ImageShape { get; set; }

    /// <summary>Adam or SGD.</summary>
    /// <value>Default <see cref="OptimizerKind.Adam"/>.</value>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>The base learning rate α.</summary>
    /// <value>Default 1e-2 (see <see cref="AdamWTrainerDefaults.LearningRate"/> for why). Finite and &gt; 0.</value>
    public double LearningRate { get; set; } = AdamWTrainerDefaults.LearningRate;

    /// <summary>Adam's β1 (ignored by SGD).</summary>
    /// <value>Default 0.9. In [0, 1).</value>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>Adam's β2 (ignored by SGD).</summary>
    /// <value>Default 0.999. In [0, 1).</value>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Adam's ε, added to √v̂ (ignored by SGD).</summary>
    /// <value>Default 1e-8. Finite and ≥ 0.</value>
    public double Epsilon { get; set; } = 1e-8;

    /// <summary>AMSGrad: Adam with the running maximum of the second moment, as PyTorch computes it (ignored by SGD).</summary>
    /// <value>Default false.</value>
    public bool AmsGrad { get; set; }

    /// <summary>SGD's momentum μ (ignored by Adam).</summary>
    /// <value>Default 0.9, the usual choice for SGD on neural networks. In [0, 1).</value>
    public double Momentum { get; set; } = 0.9;

    /// <summary>SGD with Nesterov momentum (ignored by Adam).</summary>
    /// <value>Default false.</value>
    public bool Nesterov { get; set; }

    /// <summary>The weight decay λ.</summary>
    /// <value>Default 3e-2 (see <see cref="AdamWTrainerDefaults.WeightDecay"/> for why). Finite and ≥ 0; 0 when <see cref="WeightDecayMode"/> is None.</value>
    public double WeightDecay { get; set; } = AdamWTrainerDefaults.WeightDecay;

    /// <summary>How λ enters each step: L2 penalty (Adam-ℓ2), Decoupled (AdamW), Proximal (AdamProx) or None.</summary>
    /// <value>Default <see cref="WeightDecayMode.Decoupled"/>.</value>
    public WeightDecayMode WeightDecayMode { get; set; } = AdamWTrainerDefaults.WeightDecayMode;

    /// <summary>Per-step decay α·η_t·λ (<see cref="WeightDecayScaling.LearningRate"/>) or η_t·λ (<see cref="WeightDecayScaling.Schedule"/>).</summary>
    /// <value>Default <see cref="WeightDecayScaling.LearningRate"/>, PyTorch's convention.</value>
    public WeightDecayScaling WeightDecayScaling { get; set; } = WeightDecayScaling.LearningRate;

    /// <summary>Whether biases and normalization parameters are decayed too (as in the paper's code).</summary>
    /// <value>Default false: they are spared, as Hugging Face, Keras and optax masks do.</value>
    public bool DecayAllParameters { get; set; }

    /// <summary>The learning-rate schedule after the warm-up.</summary>
    /// <value>Default <see cref="LearningRateSchedule.Cosine"/>, which anneals to <see cref="MinimumLearningRateFraction"/>·α.</value>
    public LearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedule.Cosine;

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

    /// <summary>Passes over the training data.</summary>
    /// <value>Default per task: binary 20, multiclass 100, regression 100 (see <see cref="AdamWTrainerDefaults"/> for why). ≥ 1.</value>
    public int NumberOfEpochs { get; set; }

    /// <summary>Rows per minibatch.</summary>
    /// <value>Default 32. ≥ 1 (≥ 2 with batch norm).</value>
    public int BatchSize { get; set; } = AdamWTrainerDefaults.BatchSize;

    /// <summary>Seed of the initial weights, the shuffling and dropout.</summary>
    /// <value>Default null: drawn from the MLContext's seed, so <c>new MLContext(seed: 1)</c> makes runs repeatable.</value>
    public int? Seed { get; set; }

    /// <summary>Whether minibatches are drawn in a new random order every epoch.</summary>
    /// <value>Default true.</value>
    public bool Shuffle { get; set; } = true;

    /// <summary>libtorch's thread count during training (restored afterwards); null leaves libtorch's setting alone.</summary>
    /// <value>Default 1. ≥ 1, or null. libtorch's OpenMP workers spin while they wait, so with more than one
    /// thread training slows down 10–100× whenever another process holds a core (measured on 2 cores: 50 epochs
    /// of a 7-64-64-3 network took 18.7 s with libtorch's default and 1.4 s with one thread, with identical
    /// results). For large networks on a dedicated machine, set it to the number of cores.</value>
    public int? NumberOfThreads { get; set; } = 1;

    /// <summary>Stop when the validation loss has not improved for this many epochs, and keep the best epoch's weights.</summary>
    /// <value>Default null (train all epochs). ≥ 1. Needs validation data: <c>Fit(train, validation)</c> or <see cref="ValidationFraction"/>.</value>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>Fraction of the training rows held out as validation data when <c>Fit</c> is given none.</summary>
    /// <value>Default 0 (none). In [0, 1).</value>
    public double ValidationFraction { get; set; }

    /// <summary>A directory for checkpoints (network, optimizer state and history), written atomically.</summary>
    /// <value>Default null (no checkpoints).</value>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Epochs between checkpoints (the last epoch is always written).</summary>
    /// <value>Default 1. ≥ 1.</value>
    public int CheckpointInterval { get; set; } = 1;

    /// <summary>Continue from the checkpoint in <see cref="CheckpointDirectory"/> if there is one; the result equals an uninterrupted run.</summary>
    /// <value>Default false.</value>
    public bool ResumeFromCheckpoint { get; set; }

    /// <summary>Receives where training is, for progress bars and UIs: after a minibatch at most once a
    /// second, and after every epoch (<see cref="TrainingProgress"/> says when, and on which thread).</summary>
    /// <value>Default null (no reports; <c>mlContext.Log</c> still gets one line per epoch).</value>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Observers of the training run (see <see cref="TrainingObserver"/>): per-epoch hooks for logging,
    /// custom stopping rules and sweep pruning, called after the built-in early stopping and history.</summary>
    /// <value>Default empty.</value>
    public IList<TrainingObserver> Observers { get; } = new List<TrainingObserver>();

    /// <summary>Stops this trainer's training: checked when <c>Fit</c> starts and before every minibatch, it
    /// ends <c>Fit</c> with <see cref="OperationCanceledException"/>. Unlike <c>mlContext.CancelExecution()</c>,
    /// which cancels everything the context runs from then on, it leaves the <c>MLContext</c> usable.</summary>
    /// <value>Default <see cref="CancellationToken.None"/>.</value>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Checks every option; throws <see cref="ArgumentOutOfRangeException"/> naming the first one out of range.</summary>
    public void Validate() => ToTrainingOptions(seed: 0).Validate();

    internal void ValidateColumns()
    {
        if (string.IsNullOrWhiteSpace(LabelColumnName))
            throw new ArgumentOutOfRangeException(nameof(LabelColumnName), LabelColumnName, $"{nameof(LabelColumnName)} must name a column.");
        if (string.IsNullOrWhiteSpace(FeatureColumnName))
            throw new ArgumentOutOfRangeException(nameof(FeatureColumnName), FeatureColumnName, $"{nameof(FeatureColumnName)} must name a column.");
        if (ExampleWeightColumnName is { Length: 0 })
            throw new ArgumentOutOfRangeException(nameof(ExampleWeightColumnName), ExampleWeightColumnName, $"{nameof(ExampleWeightColumnName)} must be null or name a column.");
        if (Network is null)
            throw new ArgumentOutOfRangeException(nameof(Network), $"{nameof(Network)} must not be null; the default is a new {nameof(MlpNetworkOptions)}.");
        Network.Validate();
        Check.Defined(Optimizer, nameof(Optimizer));
        Check.InHalfOpen(ValidationFraction, 0, 1, nameof(ValidationFraction));
        if (Network.HasBatchNorm && BatchSize < 2)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"{nameof(BatchSize)} must be ≥ 2 with {nameof(MlpNetworkOptions.BatchNorm)}: batch statistics of one row are undefined.");
    }

    internal WeightDecayOptimizerOptions ToOptimizerOptions() => Optimizer == OptimizerKind.Sgd
        ? new SgdOptimizerOptions
        {
            LearningRate = LearningRate, Momentum = Momentum, Nesterov = Nesterov,
            WeightDecay = WeightDecay, WeightDecayMode = WeightDecayMode, WeightDecayScaling = WeightDecayScaling,
        }
        : new AdamOptimizerOptions
        {
            LearningRate = LearningRate, Beta1 = Beta1, Beta2 = Beta2, Epsilon = Epsilon, AmsGrad = AmsGrad,
            WeightDecay = WeightDecay, WeightDecayMode = WeightDecayMode, WeightDecayScaling = WeightDecayScaling,
        };

    internal TrainingOptions ToTrainingOptions(int seed)
    {
        ValidateColumns();
        return new TrainingOptions
        {
            Optimizer = ToOptimizerOptions(),
            DecayAllParameters = DecayAllParameters,
            NumberOfEpochs = NumberOfEpochs,
            BatchSize = BatchSize,
            Seed = seed,
            Shuffle = Shuffle,
            NumberOfThreads = NumberOfThreads,
            LearningRateSchedule = LearningRateSchedule,
            WarmupEpochs = WarmupEpochs,
            StepSize = StepSize,
            StepGamma = StepGamma,
            MinimumLearningRateFraction = MinimumLearningRateFraction,
            EarlyStoppingPatience = EarlyStoppingPatience,
            CheckpointDirectory = CheckpointDirectory,
            CheckpointInterval = CheckpointInterval,
            Resume = ResumeFromCheckpoint,
            Observers = [.. Observers],
            Progress = Progress,
            StandardizeLabels = this is AdamWRegressionTrainer.Options { StandardizeLabel: true },
        };
    }
}
