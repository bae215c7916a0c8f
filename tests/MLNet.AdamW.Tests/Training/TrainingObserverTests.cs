using MLNet.AdamW.Data;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Training;

/// <summary>Observers of the training loop: what they see, in which order, and what they can do.</summary>
public sealed class TrainingObserverTests
{
    // 60 rows in minibatches of 16: 4 steps per epoch.
    private const int Rows = 60;
    private const int BatchSize = 16;
    private const int StepsPerEpoch = 4;

    private static TrainingOptions Options(int epochs, params TrainingObserver[] observers) => new()
    {
        Optimizer = new AdamOptimizerOptions { LearningRate = 1e-2, WeightDecay = 1e-2 },
        NumberOfEpochs = epochs,
        BatchSize = BatchSize,
        Seed = 7,
        NumberOfThreads = 1,
        Observers = observers,
    };

    private static MlpNetwork Spec(TabularData data) => new(data.FeatureCount, [8], Activation.ReLU, false, 0, data.OutputSize);

    private static float[] Weights(nn.Module network) =>
        network.state_dict().Values.Where(t => t.is_floating_point()).SelectMany(t => t.data<float>().ToArray()).ToArray();

    /// <summary>Writes down every call it gets.</summary>
    private sealed class Recorder(bool steps) : TrainingObserver
    {
        public List<string> Calls { get; } = [];
        public List<EpochSummary> Epochs { get; } = [];
        public List<TrainingStep> StepObjects { get; } = [];
        public TrainingHistory? History { get; private set; }
        public int ObservesStepsReads { get; private set; }

        public override bool ObservesSteps
        {
            get
            {
                ObservesStepsReads++;
                return steps;
            }
        }

        public override void OnTrainingStart(TrainingContext context) => Calls.Add("start");

        public override void OnStep(TrainingStep current)
        {
            Calls.Add($"step {current.Step} epoch {current.Epoch} minibatch {current.Minibatch}");
            StepObjects.Add(current);
            Assert.True(double.IsFinite(current.Loss) && current.Loss > 0);
            Assert.Equal(1e-2, current.LearningRate);
            Assert.All(current.Context.Parameters, p => Assert.NotNull(p.Parameter.grad));
        }

        public override void OnEpochEnd(TrainingContext context, EpochSummary epoch)
        {
            Calls.Add($"epoch {epoch.Epoch}");
            Epochs.Add(epoch);
        }

        public override void OnTrainingEnd(TrainingContext context, TrainingHistory history)
        {
            Calls.Add("end");
            History = history;
        }
    }

    [Fact]
    public void A_step_observer_sees_every_step_and_epoch_in_order()
    {
        var train = SyntheticData.Create(LabelKind.Multiclass, rows: Rows, seed: 1);
        var validation = SyntheticData.Create(LabelKind.Multiclass, rows: 30, seed: 2);
        var recorder = new Recorder(steps: true);

        var result = TrainingLoop.Train(train, validation, Spec(train), Options(3, recorder));
        result.Network.Dispose();

        var expected = new List<string> { "start" };
        long step = 0;
        for (var epoch = 1; epoch <= 3; epoch++)
        {
            for (var minibatch = 1; minibatch <= StepsPerEpoch; minibatch++)
                expected.Add($"step {++step} epoch {epoch} minibatch {minibatch}");
            expected.Add($"epoch {epoch}");
        }
        expected.Add("end");
        Assert.Equal(expected, recorder.Calls);
        Assert.Equal(result.History.Epochs, recorder.Epochs);
        Assert.Same(result.History, recorder.History);
        // One step object for the whole run: observing steps allocates nothing per step.
        Assert.Single(recorder.StepObjects.Distinct());
    }

    [Fact]
    public void The_gradients_an_observer_sees_are_the_ones_the_optimizer_applies()
    {
        // Plain SGD (no momentum, no decay, constant rate): every step is x ← x − α·g exactly.
        const double rate = 0.05;
        var train = SyntheticData.Create(LabelKind.Multiclass, rows: Rows, seed: 1);
        var checker = new StepChecker(rate);
        var options = Options(2, checker) with
        {
            Optimizer = new SgdOptimizerOptions { LearningRate = rate, Momentum = 0, WeightDecay = 0, WeightDecayMode = WeightDecayMode.None },
        };

        var result = TrainingLoop.Train(train, null, Spec(train), options);
        using var network = result.Network;
        checker.CheckAgainst(network.named_parameters().Select(p => (p.name, p.parameter.detach())));

        Assert.Equal(2 * StepsPerEpoch, checker.Steps);
        Assert.True(checker.LargestChange > 1e-4, $"the steps barely moved the weights ({checker.LargestChange})");
    }

    /// <summary>At each step, checks that the weights now equal the previous step's weights minus α times the gradients it saw.</summary>
    private sealed class StepChecker(double rate) : TrainingObserver
    {
        private Dictionary<string, Tensor> _expected = [];

        public int Steps { get; private set; }

        public double LargestChange { get; private set; }

        public override bool ObservesSteps => true;

        public override void OnStep(TrainingStep current)
        {
            CheckAgainst(current.Context.Parameters.Select(p => (p.Name, (Tensor)p.Parameter)));
            Steps++;
            // Detached copies outlive the call; the loop's tensors do not.
            var next = new Dictionary<string, Tensor>();
            foreach (var (name, parameter) in current.Context.Parameters)
            {
                var g = parameter.grad!;
                next[name] = (parameter.detach() - rate * g).detach().clone().DetachFromDisposeScope();
                LargestChange = Math.Max(LargestChange, (rate * g).abs().max().ToDouble());
            }
            _expected = next;
        }

        public void CheckAgainst(IEnumerable<(string Name, Tensor Value)> parameters)
        {
            foreach (var (name, value) in parameters)
            {
                if (!_expected.TryGetValue(name, out var expected))
                    continue;
                var difference = (value.detach() - expected).abs().max().ToDouble();
                Assert.True(difference <= 1e-6, $"{name} differs from x − α·g by {difference}");
                expected.Dispose();
            }
        }
    }

    [Fact]
    public void Observers_that_do_not_watch_steps_are_never_called_per_step_and_change_nothing()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: Rows, seed: 1);
        var epochsOnly = new Recorder(steps: false);
        var withSteps = new Recorder(steps: true);

        var plain = TrainingLoop.Train(train, null, Spec(train), Options(2));
        var observed = TrainingLoop.Train(train, null, Spec(train), Options(2, epochsOnly, withSteps));
        using (plain.Network)
        using (observed.Network)
            Assert.Equal(Weights(plain.Network), Weights(observed.Network));

        Assert.Equal(["start", "epoch 1", "epoch 2", "end"], epochsOnly.Calls);
        Assert.Empty(epochsOnly.StepObjects);
        Assert.Equal(1, epochsOnly.ObservesStepsReads);
        Assert.Equal(1, withSteps.ObservesStepsReads);
        Assert.Equal(2 * StepsPerEpoch, withSteps.StepObjects.Count);
    }

    /// <summary>Asks to stop at a given epoch end or step.</summary>
    private sealed class Stopper(int? atEpoch, long? atStep) : TrainingObserver
    {
        public int StepsSeen { get; private set; }

        public override bool ObservesSteps => atStep is not null;

        public override void OnStep(TrainingStep current)
        {
            StepsSeen++;
            if (current.Step == atStep)
                current.Context.RequestStop();
        }

        public override void OnEpochEnd(TrainingContext context, EpochSummary epoch)
        {
            if (epoch.Epoch == atEpoch)
                context.RequestStop();
        }
    }

    [Fact]
    public void A_stop_request_at_an_epoch_end_ends_training_after_that_epoch()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: Rows, seed: 1);
        var lines = new List<string>();
        var result = TrainingLoop.Train(train, null, Spec(train), Options(5, new Stopper(atEpoch: 2, atStep: null)), log: lines.Add);
        result.Network.Dispose();

        Assert.Equal(2, result.History.Epochs.Count);
        Assert.True(result.History.StoppedEarly);
        Assert.Equal(2, result.History.ModelEpoch);
        Assert.EndsWith(". Stopping early: an observer asked to stop", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_stop_request_in_a_step_takes_that_step_and_ends_the_epoch()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: Rows, seed: 1);
        var stopper = new Stopper(atEpoch: null, atStep: StepsPerEpoch + 2);
        var stopped = TrainingLoop.Train(train, null, Spec(train), Options(5, stopper));

        Assert.Equal(StepsPerEpoch + 2, stopper.StepsSeen);
        Assert.Equal(2, stopped.History.Epochs.Count);
        Assert.True(stopped.History.StoppedEarly);

        // Steps of the second epoch were taken: the weights are not those after one epoch.
        var oneEpoch = TrainingLoop.Train(train, null, Spec(train), Options(1));
        using (stopped.Network)
        using (oneEpoch.Network)
            Assert.NotEqual(Weights(oneEpoch.Network), Weights(stopped.Network));
    }
}
