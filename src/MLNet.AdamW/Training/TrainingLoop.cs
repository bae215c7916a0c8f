using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MLNet.AdamW.Data;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Training.Observers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Training;

/// <summary>
/// Minibatch training of a network on <see cref="TabularData"/>: the loop shared by the binary,
/// multiclass and regression trainers and by <see cref="NetworkTrainer"/>. Logging, early stopping,
/// checkpoints, the history and progress reports are <see cref="TrainingObserver"/>s of it
/// (<c>Observers/</c>); the loop itself only steps, validates and guards against divergence.
/// </summary>
/// <remarks>
/// <para>Each epoch visits the rows in an order drawn from the seed and the epoch (or in order,
/// without shuffling), one optimizer step per minibatch; before each step the learning rate of
/// every parameter group is set to its initial rate times the schedule's multiplier η_t, which is
/// also the η_t the optimizer's <see cref="WeightDecayScaling.Schedule"/> scaling uses. After
/// each epoch the validation data, if any, is scored in inference mode; with early stopping, the
/// weights of the epoch with the lowest validation loss are returned (<see cref="Observers.EarlyStoppingObserver"/>).</para>
/// <para>Determinism: the initial weights come from <c>torch.manual_seed(seed)</c>, and each epoch
/// re-seeds libtorch's generator (dropout) and the shuffle from the seed and the epoch, so the same
/// seed gives bit-identical weights, and a run resumed from a checkpoint continues exactly. libtorch's
/// generator is process-wide: two trainings running at once in one process are not reproducible.</para>
/// <para>Divergence: a minibatch loss that is not finite, or more than 10⁶ times the larger of 1, a
/// trivial predictor's loss and the run's first minibatch loss, stops training with an
/// <see cref="InvalidOperationException"/> naming the epoch, the minibatch and the learning rate;
/// so does a non-finite validation loss or weight. No network is returned then.</para>
/// </remarks>
internal sealed class TrainingLoop
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// A minibatch loss this many times above the reference (see <see cref="LossReference"/>) counts
    /// as divergence: Adam's normalized steps keep a run with far too large a rate finite, with
    /// logits in the trillions, and a finite loss alone would let such a network through.
    /// </summary>
    private const double DivergenceFactor = 1e6;

    private readonly TabularData _train;
    private readonly TabularData? _validation;
    private readonly TrainableNetwork _network;
    private readonly TrainingOptions _options;
    private readonly Action? _checkAlive;
    private readonly Action<string>? _log;
    private readonly LabelKind _kind;
    private readonly int[] _batchStarts;
    private readonly int[] _order;
    private readonly LearningRateScheduler _scheduler;
    private readonly double _baselineLoss;
    private readonly LabelScaling _labelScaling;

    private TrainingLoop(
        TabularData train, TabularData? validation, TrainableNetwork network, TrainingOptions options, Action? checkAlive, Action<string>? log)
    {
        _labelScaling = options.StandardizeLabels && train.Kind == LabelKind.Regression ? LabelScaling.Of(train) : LabelScaling.Identity;
        _train = _labelScaling.Standardize(train);
        _validation = validation is null ? null : _labelScaling.Standardize(validation);
        _network = network;
        _options = options;
        _checkAlive = checkAlive;
        _log = log;
        _kind = train.Kind;
        _batchStarts = PlanBatches(train.RowCount, options.BatchSize, network.HasBatchNorm);
        _order = new int[train.RowCount];
        _scheduler = new LearningRateScheduler(options.LearningRateSchedule, options.NumberOfEpochs, _batchStarts.Length - 1,
            options.WarmupEpochs, options.StepSize, options.StepGamma, options.MinimumLearningRateFraction);
        _baselineLoss = BaselineLoss(_train);
    }

    /// <summary>
    /// The loss of a trivial predictor: ln K for K uniform class probabilities; for regression, the
    /// weighted mean of y², the squared error of predicting 0.
    /// </summary>
    private static double BaselineLoss(TabularData data)
    {
        if (data.Kind != LabelKind.Regression)
            return Math.Log(data.ClassCount);
        double sum = 0;
        for (var i = 0; i < data.RowCount; i++)
            sum += (data.Weights?[i] ?? 1) * (double)data.Labels[i] * data.Labels[i];
        return sum / data.TotalWeight;
    }

    /// <summary>
    /// The scale a run's losses are judged by: the largest of 1, the trivial predictor's loss and the
    /// first minibatch's loss, so that unscaled features or labels (a large first loss) are not
    /// mistaken for divergence.
    /// </summary>
    private double LossReference(double firstLoss) => Math.Max(1, Math.Max(_baselineLoss, firstLoss));

    /// <summary>Trains a network built from a <see cref="NetworkDefinition"/> (the trainers' path).</summary>
    /// <param name="train">The training rows.</param>
    /// <param name="validation">Rows to score after each epoch (same label kind and features); needed for early stopping.</param>
    /// <param name="network">The layout; its input and output sizes must fit the data.</param>
    /// <param name="options">Optimizer, schedule, epochs, batches, seed, early stopping, checkpoints, observers.</param>
    /// <param name="warmStart">Weights (and optionally optimizer state) to start from.</param>
    /// <param name="checkAlive">Called before every minibatch; throws to cancel (ML.NET's <c>IHost.CheckAlive</c>).</param>
    /// <param name="log">Receives one line per epoch (and a line when resuming).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="ArgumentException">The options, data and network do not fit together.</exception>
    /// <exception cref="InvalidOperationException">Training diverged (the message names the epoch and the learning rate),
    /// or a checkpoint or warm start does not fit this setup.</exception>
    /// <exception cref="InvalidDataException">The checkpoint file is corrupt.</exception>
    public static TrainingResult Train(
        TabularData train, TabularData? validation, NetworkDefinition network, TrainingOptions options,
        WarmStart? warmStart = null, Action? checkAlive = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        network.Validate();
        CheckSizes(train, network);
        CheckFit(train, validation, network.BatchNorm, options);
        using var threads = ThreadCount.Set(options.NumberOfThreads);
        var module = network.Build(options.Seed);
        try
        {
            var trainable = new TrainableNetwork(module, network.Description, network.LayoutKey, network.BatchNorm,
                decayAll => network.ParameterGroups(module, decayAll));
            var loop = new TrainingLoop(train, validation, trainable, options, checkAlive, log);
            var history = loop.Run(warmStart);
            return new TrainingResult
            {
                Network = module,
                History = history,
                Description = loop.Describe(),
                TrainingDescription = loop.DescribeTraining(),
            };
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Trains a module the caller built and owns (<see cref="NetworkTrainer"/>'s path): no warm start,
    /// no label standardization; the module is trained in place and left in inference mode.
    /// </summary>
    /// <exception cref="ArgumentException">The options and data do not fit together.</exception>
    /// <exception cref="InvalidOperationException">Training diverged.</exception>
    public static TrainingHistory Train(
        TabularData train, TabularData? validation, TrainableNetwork network, TrainingOptions options, Action? checkAlive = null, Action<string>? log = null)
    {
        options.Validate();
        CheckFit(train, validation, network.HasBatchNorm, options);
        using var threads = ThreadCount.Set(options.NumberOfThreads);
        return new TrainingLoop(train, validation, network, options, checkAlive, log).Run(warmStart: null);
    }

    /// <summary>
    /// The seed of an epoch's shuffle and dropout: a SplitMix64 mix of the run's seed and the epoch, so
    /// that nearby seeds and epochs give unrelated sequences.
    /// </summary>
    internal static int EpochSeed(int seed, int epoch)
    {
        var z = ((ulong)(uint)seed << 32) | (uint)epoch;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>
    /// Start of each minibatch, plus the end: batches of batchSize rows, the last one shorter. With
    /// batch norm a last batch of a single row joins the one before, since batch norm cannot
    /// normalize one row.
    /// </summary>
    internal static int[] PlanBatches(int rows, int batchSize, bool batchNorm)
    {
        var size = Math.Min(batchSize, rows);
        var count = (rows + size - 1) / size;
        if (batchNorm && count > 1 && rows % size == 1)
            count--;
        var starts = new int[count + 1];
        for (var i = 0; i < count; i++)
            starts[i] = i * size;
        starts[count] = rows;
        return starts;
    }

    private static void CheckSizes(TabularData train, NetworkDefinition network)
    {
        if (network.InputSize != train.FeatureCount)
            throw new ArgumentException($"The network takes {network.InputSize} inputs but the data has {train.FeatureCount} features.", nameof(network));
        if (network.OutputSize != train.OutputSize)
            throw new ArgumentException(
                $"The network has {network.OutputSize} outputs but {train.Kind} data with {train.ClassCount} classes needs {train.OutputSize}.", nameof(network));
    }

    private static void CheckFit(TabularData train, TabularData? validation, bool batchNorm, TrainingOptions options)
    {
        if (validation is not null)
        {
            if (validation.Kind != train.Kind || validation.FeatureCount != train.FeatureCount || validation.ClassCount != train.ClassCount)
                throw new ArgumentException(
                    $"The validation data ({validation.Kind}, {validation.FeatureCount} features, {validation.ClassCount} classes) does not match " +
                    $"the training data ({train.Kind}, {train.FeatureCount} features, {train.ClassCount} classes).", nameof(validation));
        }
        else if (options.EarlyStoppingPatience is not null)
        {
            throw new ArgumentException(
                $"{nameof(TrainingOptions.EarlyStoppingPatience)} needs validation data to watch; pass validation data or set it to null.",
                nameof(options));
        }
        if (batchNorm && (options.BatchSize < 2 || train.RowCount < 2))
            throw new ArgumentException(
                $"Batch norm needs at least 2 rows per minibatch; {nameof(TrainingOptions.BatchSize)} is {options.BatchSize} and the training data has {train.RowCount} usable row(s).",
                nameof(options));
    }

    private TrainingHistory Run(WarmStart? warmStart)
    {
        var module = _network.Module;
        using var optimizer = CreateOptimizer();
        var groups = optimizer.Groups;
        var baseRates = groups.Select(g => g.InitialLearningRate).ToArray();
        var weightDecays = groups.Select(g => g.WeightDecay).ToArray();

        var directory = _options.CheckpointDirectory;
        var setup = directory is null ? [] : Setup(warmStart);
        var state = new TrainingCheckpoint { Setup = setup };
        if (warmStart is not null)
        {
            _network.LoadWeights(warmStart.NetworkWeights, warmStart.Source);
            _labelScaling.Unfold(module);
        }
        string? startNote = null;
        if (_options.Resume && TrainingCheckpoint.Load(directory!) is { } checkpoint)
        {
            checkpoint.RequireSetup(setup, directory!);
            _network.LoadWeights(checkpoint.NetworkWeights, $"the checkpoint in '{directory}'");
            LoadOptimizerState(optimizer, checkpoint.OptimizerState, $"the checkpoint in '{directory}'");
            state = checkpoint;
            startNote = string.Create(Invariant, $"Resuming from the checkpoint after epoch {state.EpochsCompleted} in '{directory}'.");
        }
        else if (_options.Resume)
        {
            startNote = $"No checkpoint in '{directory}'; training from the start.";
        }
        // A loaded state carries the rates and decay it was saved with; this run's options decide them.
        for (var g = 0; g < groups.Count; g++)
        {
            groups[g].InitialLearningRate = baseRates[g];
            groups[g].LearningRate = baseRates[g];
            groups[g].WeightDecay = weightDecays[g];
        }

        var parameters = module.named_parameters().Where(np => np.parameter.requires_grad).Select(np => (np.name, np.parameter)).ToArray();
        var numberOfEpochs = _options.NumberOfEpochs;
        var context = new TrainingContext(module, parameters, Describe(), numberOfEpochs, _batchStarts.Length - 1, state.EpochsCompleted + 1,
            epoch => state.StoppedEarly = epoch < numberOfEpochs);
        var observers = Observers(state, optimizer, startNote);
        // Asked once: an observer that does not watch steps costs the loop nothing per step.
        var stepObservers = observers.Where(o => o.ObservesSteps).ToArray();
        var step = stepObservers.Length > 0 ? new TrainingStep(context) : null;

        foreach (var observer in observers)
            observer.OnTrainingStart(context);
        for (var epoch = state.EpochsCompleted + 1; epoch <= numberOfEpochs && !state.StoppedEarly && !context.StopRequested; epoch++)
            RunEpoch(optimizer, baseRates, state, context, epoch, observers, stepObservers, step);
        return Finish(state, context, observers);
    }

    /// <summary>The built-in observers around the caller's: early stopping and the history see an epoch first, then the caller's, then the log, the checkpoint and progress.</summary>
    private List<TrainingObserver> Observers(TrainingCheckpoint state, WeightDecayOptimizer optimizer, string? startNote)
    {
        var observers = new List<TrainingObserver>();
        var earlyStopping = _validation is null ? null : new EarlyStoppingObserver(state, _network, _options.EarlyStoppingPatience);
        if (earlyStopping is not null)
            observers.Add(earlyStopping);
        observers.Add(new HistoryRecorder(state));
        observers.AddRange(_options.Observers);
        if (_log is not null)
            observers.Add(new TrainingLogger(_log, state, earlyStopping, _options.EarlyStoppingPatience is not null, startNote));
        if (_options.CheckpointDirectory is { } directory)
            observers.Add(new CheckpointWriter(directory, _options.CheckpointInterval, state, _network, optimizer));
        if (_options.Progress is { } progress)
            observers.Add(new ProgressReporter(progress));
        return observers;
    }

    private WeightDecayOptimizer CreateOptimizer()
    {
        var groups = _network.ParameterGroups(_options.DecayAllParameters);
        return _options.Optimizer switch
        {
            AdamOptimizerOptions adam => new AdamOptimizer(groups, adam),
            SgdOptimizerOptions sgd => new SgdOptimizer(groups, sgd),
            _ => throw new InvalidOperationException($"Unsupported optimizer options {_options.Optimizer.GetType().Name}."),
        };
    }

    private static void LoadOptimizerState(WeightDecayOptimizer optimizer, byte[] state, string source)
    {
        try
        {
            using var stream = new MemoryStream(state, writable: false);
            optimizer.LoadState(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidOperationException($"The optimizer state of {source} does not fit this optimizer and network: {e.Message}", e);
        }
    }

    private void RunEpoch(
        WeightDecayOptimizer optimizer, double[] baseRates, TrainingCheckpoint state, TrainingContext context, int epoch,
        List<TrainingObserver> observers, TrainingObserver[] stepObservers, TrainingStep? step)
    {
        var watch = Stopwatch.StartNew();
        context.Epoch = epoch;
        var epochSeed = EpochSeed(_options.Seed, epoch);
        torch.manual_seed(epochSeed);
        for (var i = 0; i < _order.Length; i++)
            _order[i] = i;
        if (_options.Shuffle)
            new Random(epochSeed).Shuffle(_order);

        var network = _network.Module;
        network.train();
        var groups = optimizer.Groups;
        var batchCount = _batchStarts.Length - 1;
        double lossSum = 0, weightSum = 0, learningRate = 0;
        for (var b = 0; b < batchCount; b++)
        {
            _checkAlive?.Invoke();
            var multiplier = _scheduler.Multiplier(state.StepsCompleted);
            for (var g = 0; g < groups.Count; g++)
                groups[g].LearningRate = baseRates[g] * multiplier;
            learningRate = _options.Optimizer.LearningRate * multiplier;

            using var scope = torch.NewDisposeScope();
            var batch = _train.CreateBatch(_order.AsSpan(_batchStarts[b], _batchStarts[b + 1] - _batchStarts[b]));
            optimizer.zero_grad();
            var loss = Losses.Mean(_kind, network.forward(batch.Features), batch);
            var value = loss.ToSingle();
            if (state.LossReference == 0 && float.IsFinite(value))
                state.LossReference = LossReference(value);
            if (!float.IsFinite(value) || value > DivergenceFactor * state.LossReference)
            {
                var where = $"epoch {epoch}, minibatch {b + 1} of {batchCount}: the training loss is {TrainingDescription.Number(value, 4)}";
                if (float.IsFinite(value))
                    where += $", more than a million times the starting loss scale ({TrainingDescription.Number(state.LossReference, 4)})";
                throw Diverged(where, learningRate);
            }
            // The reported loss stays unscaled; only the gradients see the multiplier.
            (_options.LossScale == 1 ? loss : loss.mul(_options.LossScale)).backward();
            lossSum += value * batch.WeightSum;
            weightSum += batch.WeightSum;
            if (step is not null)
            {
                step.Step = state.StepsCompleted + 1;
                step.Epoch = epoch;
                step.Minibatch = b + 1;
                step.Rows = _batchStarts[b + 1] - _batchStarts[b];
                step.Loss = _labelScaling.LossInLabelUnits(value);
                step.EpochLoss = _labelScaling.LossInLabelUnits(lossSum / weightSum);
                step.LearningRate = learningRate;
                foreach (var observer in stepObservers)
                    observer.OnStep(step);
            }
            optimizer.step();
            state.StepsCompleted++;
            step?.StepTaken();
            if (context.StopRequested)
                break;
        }

        double? validationLoss = null, validationAccuracy = null;
        if (_validation is not null)
        {
            (validationLoss, validationAccuracy) = Evaluate(network, _validation);
            if (!double.IsFinite(validationLoss.Value))
                throw Diverged(string.Create(Invariant, $"epoch {epoch}: the validation loss is {validationLoss.Value}"), learningRate);
        }
        watch.Stop();

        var summary = new EpochSummary(epoch, _labelScaling.LossInLabelUnits(lossSum / weightSum),
            validationLoss is { } z ? _labelScaling.LossInLabelUnits(z) : null, validationAccuracy, learningRate, watch.Elapsed);
        state.EpochsCompleted = epoch;
        foreach (var observer in observers)
            observer.OnEpochEnd(context, summary);
    }

    private (double Loss, double? Accuracy) Evaluate(nn.Module<Tensor, Tensor> network, TabularData data)
    {
        // Large chunks: inference has no optimizer step to amortize, only call overhead.
        var chunk = Math.Max(_options.BatchSize, 1024);
        var classification = _kind != LabelKind.Regression;
        var rows = data.AllRows;
        double loss = 0, correct = 0;
        network.eval();
        try
        {
            using var noGrad = torch.no_grad();
            for (var start = 0; start < rows.Length; start += chunk)
            {
                using var scope = torch.NewDisposeScope();
                var batch = data.CreateBatch(rows.Slice(start, Math.Min(chunk, rows.Length - start)));
                var output = network.forward(batch.Features);
                loss += Losses.Sum(_kind, output, batch).ToSingle();
                if (classification)
                    correct += Losses.CorrectSum(_kind, output, batch).ToSingle();
            }
        }
        finally
        {
            network.train();
        }
        return (loss / data.TotalWeight, classification ? correct / data.TotalWeight : null);
    }

    private TrainingHistory Finish(TrainingCheckpoint state, TrainingContext context, List<TrainingObserver> observers)
    {
        var network = _network.Module;
        var modelEpoch = state.EpochsCompleted;
        foreach (var observer in observers)
            if (observer.OnTrainingFinishing(context) is { } epoch)
                modelEpoch = epoch;
        _labelScaling.Fold(network);
        RequireFiniteWeights(network, modelEpoch);
        network.eval();
        var history = new TrainingHistory(state.History, state.BestEpoch == 0 ? null : state.BestEpoch, modelEpoch, state.StoppedEarly);
        foreach (var observer in observers)
            observer.OnTrainingEnd(context, history);
        return history;
    }

    private void RequireFiniteWeights(nn.Module network, int epoch)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in network.state_dict())
        {
            if (!tensor.is_floating_point())
                continue;
            if (!torch.isfinite(tensor).all().ToBoolean())
                throw Diverged(string.Create(Invariant, $"epoch {epoch}: the network's '{name}' holds non-finite values"), _options.Optimizer.LearningRate);
        }
    }

    private InvalidOperationException Diverged(string where, double scheduledRate)
    {
        var rate = _options.Optimizer.LearningRate;
        var text = $"Training diverged in {where}. Try a smaller LearningRate: it is {TrainingDescription.Number(rate)}";
        if (scheduledRate != rate)
            text += $" (the schedule had it at {TrainingDescription.Number(scheduledRate)})";
        return new InvalidOperationException(text + ".");
    }

    /// <summary>Network, optimizer, schedule and run length in one line.</summary>
    public string Describe() => _network.Description + "; " + DescribeTraining();

    /// <summary>The optimizer, schedule, epochs and batches, without the network.</summary>
    public string DescribeTraining() =>
        string.Join("; ",
            TrainingDescription.Optimizer(_options.Optimizer, _options.DecayAllParameters),
            LearningRateScheduler.Describe(_options.LearningRateSchedule, _options.WarmupEpochs, _options.StepSize, _options.StepGamma, _options.MinimumLearningRateFraction),
            string.Create(Invariant, $"{_options.NumberOfEpochs} epochs of minibatches of {_options.BatchSize}{(_options.Shuffle ? "" : ", not shuffled")}"));

    /// <summary>What a checkpoint must match to be resumed: everything that decides the result except the thread count.</summary>
    private List<KeyValuePair<string, string>> Setup(WarmStart? warmStart)
    {
        var o = _options;
        return
        [
            new("Network", _network.LayoutKey),
            new("Labels", string.Create(Invariant, $"{_kind}, {_train.ClassCount} classes")),
            new("Optimizer", TrainingDescription.OptimizerKey(o.Optimizer, o.DecayAllParameters)),
            new(nameof(o.LearningRateSchedule), string.Create(Invariant,
                $"{o.LearningRateSchedule} warmup={o.WarmupEpochs} stepSize={o.StepSize} gamma={o.StepGamma:R} minimum={o.MinimumLearningRateFraction:R}")),
            new(nameof(o.NumberOfEpochs), o.NumberOfEpochs.ToString(Invariant)),
            new(nameof(o.BatchSize), o.BatchSize.ToString(Invariant)),
            new(nameof(o.Seed), o.Seed.ToString(Invariant)),
            new(nameof(o.Shuffle), o.Shuffle.ToString()),
            new(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience?.ToString(Invariant) ?? "off"),
            new("Label scaling", _labelScaling.IsIdentity ? "none" : _labelScaling.Key),
            new("Training data", DataKey(_train)),
            new("Validation data", _validation is null ? "none" : DataKey(_validation)),
            new("Warm start", warmStart is null ? "none" : Hash(warmStart.NetworkWeights)),
            .. (o.LossScale == 1 ? Array.Empty<KeyValuePair<string, string>>() : [new(nameof(o.LossScale), o.LossScale.ToString("R", Invariant))]),
        ];
    }

    private static string DataKey(TabularData data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(data.Features.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(data.Labels.AsSpan()));
        if (data.Weights is not null)
            hash.AppendData(MemoryMarshal.AsBytes(data.Weights.AsSpan()));
        return string.Create(Invariant, $"{data.RowCount} rows × {data.FeatureCount} features{(data.Weights is null ? "" : ", weighted")}, SHA-256 {Convert.ToHexString(hash.GetHashAndReset(), 0, 8)}");
    }

    private static string Hash(byte[] bytes) => "SHA-256 " + Convert.ToHexString(SHA256.HashData(bytes), 0, 8);
}
