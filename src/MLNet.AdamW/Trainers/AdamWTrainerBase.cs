using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MLNet.AdamW.Data;
using MLNet.AdamW.Model;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Training;

namespace MLNet.AdamW;

/// <summary>
/// What the three AdamW trainers share: reading the data, the network, the training loop, the
/// model, and ML.NET's estimator contract (schema propagation, validation sets, warm starts).
/// </summary>
/// <typeparam name="TTransformer">ML.NET's prediction transformer for the task.</typeparam>
/// <typeparam name="TModel">The model parameters the trainer produces.</typeparam>
public abstract class AdamWTrainerBase<TTransformer, TModel> : TrainerEstimatorBase<TTransformer, TModel>
    where TTransformer : ISingleFeaturePredictionTransformer<TModel>
    where TModel : class
{
    private static readonly TrainerInfo TrainerInfo = new(normalization: true, calibration: false, caching: false,
        supportValid: true, supportIncrementalTrain: true);

    private readonly AdamWTrainerOptions _options;

    private protected AdamWTrainerBase(IHostEnvironment env, string name, AdamWTrainerOptions options, SchemaShape.Column label)
        : base(Register(env, name), TrainerUtils.MakeR4VecFeature(Validated(options).FeatureColumnName), label,
            TrainerUtils.MakeR4ScalarWeightColumn(options.ExampleWeightColumnName))
    {
        _options = options;
    }

    private static IHost Register(IHostEnvironment env, string name)
    {
        ArgumentNullException.ThrowIfNull(env);
        return env.Register(name);
    }

    // Validate before ML.NET looks at the column names (the derived trainers build the label column
    // from options.LabelColumnName in their base-constructor call, so they call this first).
    private protected static AdamWTrainerOptions Validated(AdamWTrainerOptions options)
    {
        Internal.MLNetVersionCheck.EnsureSupported();
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    /// <inheritdoc />
    public override TrainerInfo Info => TrainerInfo;

    private protected abstract LabelKind LabelKind { get; }

    private protected abstract byte TaskCode { get; }

    private protected abstract TModel CreateModel(ModelContent content);

    /// <summary>Refuses training labels the task cannot learn from (the reader has checked their type).</summary>
    private protected virtual void CheckTrainingLabels(TabularData train, DataViewSchema.Column labelColumn)
    {
    }

    /// <summary>Trains with a separate validation set, used for the per-epoch validation metrics and early stopping.</summary>
    public TTransformer Fit(IDataView trainData, IDataView? validationData) => TrainTransformer(trainData, validationData);

    /// <summary>Continues training from a previously trained model of this trainer (warm start): same features, layout and task.</summary>
    public TTransformer Fit(IDataView trainData, TModel initialModel) => Fit(trainData, null, initialModel);

    /// <summary>Warm start with a validation set.</summary>
    public TTransformer Fit(IDataView trainData, IDataView? validationData, TModel initialModel)
    {
        ArgumentNullException.ThrowIfNull(initialModel);
        return TrainTransformer(trainData, validationData, (IPredictor)initialModel);
    }

    /// <inheritdoc />
    private protected override TModel TrainModelCore(TrainContext trainContext)
    {
        ArgumentNullException.ThrowIfNull(trainContext);
        var options = _options;
        var cancellation = options.CancellationToken;
        cancellation.ThrowIfCancellationRequested();
        NativeBackend.EnsureLoaded("Training an AdamW network");
        // A run without a Seed resumes with the seed its checkpoint was written with: the one drawn
        // from the MLContext now depends on what the context did before.
        var seed = options.Seed
            ?? (options.ResumeFromCheckpoint && options.CheckpointDirectory is { } directory ? TrainingCheckpoint.SeedIn(directory) : null)
            ?? Host.Rand.Next();
        var schema = trainContext.TrainingSet.Schema;
        var train = TabularDataReader.Read(trainContext.TrainingSet.Data, schema.Feature!.Value.Name, schema.Label!.Value.Name,
            schema.Weight?.Name, LabelKind);
        CheckTrainingLabels(train, schema.Label.Value);
        // Before a ValidationFraction split, whose parts carry no skip counts.
        var trainSkipped = (train.Skipped, Read: train.RowCount + train.Skipped.Total);
        TabularData? validation = null;
        if (trainContext.ValidationSet is { } validationSet)
        {
            validation = TabularDataReader.Read(validationSet.Data, schema.Feature.Value.Name, schema.Label.Value.Name,
                schema.Weight?.Name, LabelKind, isValidation: true);
        }
        else if (options.ValidationFraction > 0)
        {
            (train, validation) = train.Split(options.ValidationFraction, seed);
        }
        if (options.EarlyStoppingPatience is not null && validation is null)
            throw new ArgumentException(
                $"{nameof(AdamWTrainerOptions.EarlyStoppingPatience)} needs validation data: call Fit(trainData, validationData) or set {nameof(AdamWTrainerOptions.ValidationFraction)}.",
                nameof(trainContext));

        using var channel = Host.Start("Training");
        WarnSkipped(channel, "training", trainSkipped.Skipped, trainSkipped.Read, schema);
        if (validation is not null)
            WarnSkipped(channel, "validation", validation.Skipped, validation.RowCount + validation.Skipped.Total, schema);

        var imageShape = ImageShape.Resolve(options.ImageShape, schema.Feature.Value, train.FeatureCount);
        var network = options.Network.Define(train.FeatureCount, imageShape, train.OutputSize);
        var warmStart = WarmStartFrom(trainContext.InitialPredictor, network);
        var trainingOptions = options.ToTrainingOptions(seed);
        var recorder = options.Diagnostics is null ? null : new Diagnostics.GradientScaleRecorder(options.Diagnostics);
        if (recorder is not null)
            trainingOptions = trainingOptions with { Observers = [.. trainingOptions.Observers, recorder] };
        var result = TrainingLoop.Train(train, validation, network, trainingOptions, warmStart, checkAlive: () =>
        {
            Host.CheckAlive();
            cancellation.ThrowIfCancellationRequested();
        }, line => channel.Info(line));
        using var trained = result.Network;
        var content = new ModelContent
        {
            Task = TaskCode,
            Network = network,
            Tensors = StateDictionary.FromModule(trained),
            OptimizerDescription = result.TrainingDescription,
            History = result.History,
            Diagnostics = recorder?.Diagnostics,
        };
        return CreateModel(content);
    }

    private static void WarnSkipped(IChannel channel, string role, SkippedRowCounts skipped, int read, RoleMappedSchema schema)
    {
        if (skipped.Total > 0)
            channel.Warning(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Skipped {skipped.Total:N0} of {read:N0} {role} rows: {skipped.Describe(schema.Label!.Value.Name, schema.Feature!.Value.Name, schema.Weight?.Name)}."));
    }

    private WarmStart? WarmStartFrom(IPredictor? initial, NetworkDefinition network)
    {
        if (initial is null)
            return null;
        if (initial is not AdamWModelParametersBase<float> and not AdamWModelParametersBase<VBuffer<float>>)
            throw new ArgumentException($"A warm start needs a model trained by an AdamW trainer; got {initial.GetType().Name}.", nameof(initial));
        var content = initial is AdamWModelParametersBase<float> single ? single.ContentForWarmStart : ((AdamWModelParametersBase<VBuffer<float>>)initial).ContentForWarmStart;
        if (content.Task != TaskCode)
            throw new ArgumentException($"The initial model was trained for another task ({content.Task}); this trainer's is {TaskCode}.", nameof(initial));
        if (content.Network.Kind != network.Kind || content.Network.LayoutKey != network.LayoutKey)
            throw new ArgumentException(
                $"The initial model ({content.NetworkDescription}) does not have the layout these options and data ask for ({network.Description}); "
                + "a warm start needs the same network settings, image shape, feature count and outputs.", nameof(initial));
        return new WarmStart(StateDictionary.ToBytes(content.Tensors), Source: $"the initial model ({content.NetworkDescription})");
    }
}
