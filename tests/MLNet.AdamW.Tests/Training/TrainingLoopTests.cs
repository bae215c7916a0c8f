using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Data;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Training;

/// <summary>The training loop: it fits, stops early, refuses to diverge silently, resumes exactly, is deterministic, cancels, and honours weights.</summary>
public sealed class TrainingLoopTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mlnaw-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    /// <summary>One libtorch thread: the tests stay fast on a machine whose other cores are busy.</summary>
    private static TrainingOptions Options(double learningRate = 1e-2, int epochs = 10, int batchSize = 16) => new()
    {
        Optimizer = new AdamOptimizerOptions { LearningRate = learningRate, WeightDecay = 1e-2 },
        NumberOfEpochs = epochs,
        BatchSize = batchSize,
        Seed = 7,
        NumberOfThreads = 1,
    };

    private static MlpNetwork Spec(TabularData data, int[]? hidden = null, bool batchNorm = false, double dropout = 0) =>
        new(data.FeatureCount, hidden ?? [16], Activation.ReLU, batchNorm, dropout, data.OutputSize);

    private static float[] Weights(nn.Module network) =>
        network.state_dict().Values.Where(t => t.is_floating_point()).SelectMany(t => t.data<float>().ToArray()).ToArray();

    [Theory]
    [InlineData(nameof(LabelKind.Binary))]
    [InlineData(nameof(LabelKind.Multiclass))]
    public void Fits_a_separable_classification_problem(string kindName)
    {
        var kind = Enum.Parse<LabelKind>(kindName);
        var train = SyntheticData.Create(kind, rows: 300, seed: 1);
        var validation = SyntheticData.Create(kind, rows: 300, seed: 2);

        var result = TrainingLoop.Train(train, validation, Spec(train), Options(epochs: 8));
        using var network = result.Network;

        var epochs = result.History.Epochs;
        Assert.Equal(8, epochs.Count);
        Assert.True(epochs[^1].TrainLoss < epochs[0].TrainLoss / 3, $"train loss {epochs[0].TrainLoss} → {epochs[^1].TrainLoss}");
        Assert.True(epochs[^1].ValidationAccuracy >= 0.97, $"validation accuracy {epochs[^1].ValidationAccuracy}");
        Assert.False(network.training);
    }

    [Fact]
    public void Fits_with_SGD_and_Nesterov_momentum()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: 300, seed: 1);
        var validation = SyntheticData.Create(LabelKind.Binary, rows: 300, seed: 2);
        var options = Options(epochs: 8) with
        {
            Optimizer = new SgdOptimizerOptions { LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-3, WeightDecayMode = WeightDecayMode.Decoupled },
        };

        var result = TrainingLoop.Train(train, validation, Spec(train), options);
        result.Network.Dispose();

        Assert.True(result.History.Epochs[^1].ValidationAccuracy >= 0.97, $"validation accuracy {result.History.Epochs[^1].ValidationAccuracy}");
        Assert.StartsWith("MLP 4-16-1, ReLU; SGDW: α = 0.05, λ = 0.001", result.Description, StringComparison.Ordinal);
        Assert.Contains("momentum 0.9 (Nesterov)", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Fits_a_weighted_regression_problem()
    {
        var train = SyntheticData.Create(LabelKind.Regression, rows: 400, seed: 1, weighted: true);
        var validation = SyntheticData.Create(LabelKind.Regression, rows: 200, seed: 2);
        var mean = validation.Labels.Average();
        var variance = validation.Labels.Average(y => (y - mean) * (y - mean));

        var result = TrainingLoop.Train(train, validation, Spec(train, [32, 32]), Options(epochs: 30));
        result.Network.Dispose();

        var last = result.History.Epochs[^1];
        Assert.Null(last.ValidationAccuracy);
        Assert.True(last.ValidationLoss < 0.1 * variance, $"validation MSE {last.ValidationLoss} against label variance {variance}");
    }

    [Fact]
    public void Early_stopping_stops_after_patience_epochs_and_restores_the_best_epoch()
    {
        // 40 noisy rows and a wide network: it soon fits the noise, and the validation loss turns up.
        var train = SyntheticData.Create(LabelKind.Binary, rows: 40, seed: 1, separation: 1);
        var validation = SyntheticData.Create(LabelKind.Binary, rows: 400, seed: 2, separation: 1);

        var result = TrainingLoop.Train(train, validation, Spec(train, [64, 64]), Options(epochs: 60, batchSize: 8) with { EarlyStoppingPatience = 5 });
        using var network = result.Network;

        var history = result.History;
        var losses = history.Epochs.Select(e => e.ValidationLoss!.Value).ToArray();
        var best = Array.IndexOf(losses, losses.Min()) + 1;
        Assert.True(history.StoppedEarly);
        Assert.True(best > 1, "the validation loss should fall before it rises");
        Assert.Equal(best, history.BestEpoch);
        Assert.Equal(best, history.ModelEpoch);
        Assert.Equal(best + 5, history.Epochs.Count);
        Assert.True(losses[^1] > losses[best - 1] * 1.2);

        // The returned network scores the validation data as the best epoch did, not as the last.
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var logits = network.forward(torch.tensor(validation.Features).reshape(validation.RowCount, validation.FeatureCount)).view(-1);
        var loss = nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor(validation.Labels)).ToDouble();
        Assert.Equal(losses[best - 1], loss, 5);
    }

    [Theory]
    [InlineData(nameof(LabelKind.Binary))]
    [InlineData(nameof(LabelKind.Multiclass))]
    [InlineData(nameof(LabelKind.Regression))]
    public void A_diverging_run_throws_naming_the_epoch_and_the_learning_rate(string kindName)
    {
        var kind = Enum.Parse<LabelKind>(kindName);
        var train = SyntheticData.Create(kind, rows: 200, seed: 1);

        var e = Assert.Throws<InvalidOperationException>(() =>
            TrainingLoop.Train(train, null, Spec(train, [32, 32]), Options(learningRate: 1e6, epochs: 20) with
            {
                Optimizer = new AdamOptimizerOptions { LearningRate = 1e6, WeightDecay = 0, WeightDecayMode = WeightDecayMode.None },
            }));

        Assert.Matches(@"^Training diverged in epoch \d+", e.Message);
        Assert.Contains("Try a smaller LearningRate: it is 1000000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resuming_after_a_crash_equals_an_uninterrupted_run_bit_for_bit()
    {
        var train = SyntheticData.Create(LabelKind.Multiclass, rows: 150, seed: 1, weighted: true);
        var validation = SyntheticData.Create(LabelKind.Multiclass, rows: 60, seed: 2);
        var spec = Spec(train, [12, 8], batchNorm: true, dropout: 0.2);
        var options = Options(epochs: 6) with
        {
            LearningRateSchedule = LearningRateSchedule.Cosine,
            WarmupEpochs = 1,
            EarlyStoppingPatience = 10,
            CheckpointInterval = 2,
        };
        var batches = TrainingLoop.PlanBatches(train.RowCount, options.BatchSize, batchNorm: true).Length - 1;

        var uninterrupted = TrainingLoop.Train(train, validation, spec, options);
        using var expected = uninterrupted.Network;

        // Checkpoints after epochs 2 and 4; the run "crashes" in the middle of epoch 5.
        var checkpointed = options with { CheckpointDirectory = _directory };
        var calls = 0;
        Assert.Throws<OperationCanceledException>(() => TrainingLoop.Train(train, validation, spec, checkpointed,
            checkAlive: () =>
            {
                if (++calls == 4 * batches + 3)
                    throw new OperationCanceledException();
            }));
        Assert.Equal(4, TrainingCheckpoint.Load(_directory)!.EpochsCompleted);

        var lines = new List<string>();
        var resumed = TrainingLoop.Train(train, validation, spec, checkpointed with { Resume = true }, log: lines.Add);
        using var actual = resumed.Network;

        Assert.Equal(Weights(expected), Weights(actual));
        Assert.Equal(uninterrupted.History.Epochs.Select(e => e.TrainLoss), resumed.History.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(uninterrupted.History.Epochs.Select(e => e.ValidationLoss), resumed.History.Epochs.Select(e => e.ValidationLoss));
        Assert.StartsWith("Resuming from the checkpoint after epoch 4", lines[0], StringComparison.Ordinal);
        Assert.Equal(3, lines.Count);
    }

    [Fact]
    public void A_checkpoint_from_another_setup_is_refused_listing_the_differences()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: 64, seed: 1);
        var options = Options(epochs: 2) with { CheckpointDirectory = _directory };
        TrainingLoop.Train(train, null, Spec(train), options).Network.Dispose();

        var e = Assert.Throws<InvalidOperationException>(() =>
            TrainingLoop.Train(train, null, Spec(train, [8]), options with { Resume = true, BatchSize = 32 }));
        Assert.Contains("was written by a different training setup", e.Message, StringComparison.Ordinal);
        Assert.Contains("Network: MLP 4-16-1, ReLU in the checkpoint, MLP 4-8-1, ReLU now", e.Message, StringComparison.Ordinal);
        Assert.Contains("BatchSize: 16 in the checkpoint, 32 now", e.Message, StringComparison.Ordinal);

        var otherData = SyntheticData.Create(LabelKind.Binary, rows: 64, seed: 2);
        e = Assert.Throws<InvalidOperationException>(() => TrainingLoop.Train(otherData, null, Spec(train), options with { Resume = true }));
        Assert.Contains("Training data: 64 rows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_checkpoint_is_refused_and_an_interrupted_write_keeps_the_previous_one()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: 64, seed: 1);
        var options = Options(epochs: 2) with { CheckpointDirectory = _directory };
        TrainingLoop.Train(train, null, Spec(train), options).Network.Dispose();
        var path = TrainingCheckpoint.PathIn(_directory);

        // A crash while writing leaves only a partial temporary file beside the checkpoint.
        File.WriteAllBytes(path + ".tmp", [1, 2, 3]);
        var resumed = TrainingLoop.Train(train, null, Spec(train), options with { Resume = true });
        resumed.Network.Dispose();
        Assert.Equal(2, resumed.History.Epochs.Count);

        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => TrainingLoop.Train(train, null, Spec(train), options with { Resume = true }));
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        e = Assert.Throws<InvalidDataException>(() => TrainingLoop.Train(train, null, Spec(train), options with { Resume = true }));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_without_a_checkpoint_starts_from_the_beginning()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: 64, seed: 1);
        var options = Options(epochs: 2);
        var fresh = TrainingLoop.Train(train, null, Spec(train), options);
        using var expected = fresh.Network;
        var lines = new List<string>();

        var resumed = TrainingLoop.Train(train, null, Spec(train), options with { CheckpointDirectory = _directory, Resume = true }, log: lines.Add);
        using var actual = resumed.Network;

        Assert.Equal(Weights(expected), Weights(actual));
        Assert.StartsWith("No checkpoint in", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_gives_identical_weights_and_another_seed_different_ones()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: 100, seed: 1);
        var spec = Spec(train, [8], batchNorm: true, dropout: 0.3);

        using var a = TrainingLoop.Train(train, null, spec, Options(epochs: 3)).Network;
        using var b = TrainingLoop.Train(train, null, spec, Options(epochs: 3)).Network;
        using var c = TrainingLoop.Train(train, null, spec, Options(epochs: 3) with { Seed = 8 }).Network;

        Assert.Equal(Weights(a), Weights(b));
        Assert.NotEqual(Weights(a), Weights(c));
    }

    [Fact]
    public void Cancellation_through_the_callback_stops_within_one_minibatch()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: 100, seed: 1);
        var options = Options(epochs: 3, batchSize: 10);
        var calls = 0;
        TrainingLoop.Train(train, null, Spec(train), options, checkAlive: () => calls++).Network.Dispose();
        Assert.Equal(3 * 10, calls);

        calls = 0;
        Assert.Throws<OperationCanceledException>(() => TrainingLoop.Train(train, null, Spec(train), options, checkAlive: () =>
        {
            if (++calls == 13)
                throw new OperationCanceledException();
        }));
        Assert.Equal(13, calls);
    }

    [Fact]
    public void Rows_of_weight_zero_have_no_influence()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(5);
        var rows = Enumerable.Range(0, 60).Select(i => new WeightedRow
        {
            Features = [(float)random.NextDouble() + (i % 2), (float)random.NextDouble(), (float)random.NextDouble() - (i % 2)],
            Label = i % 2 == 1,
            Weight = (float)(0.5 + random.NextDouble()),
        }).ToList();
        var withZero = rows.ToList();
        withZero.Insert(20, new WeightedRow { Features = rows[7].Features, Label = !rows[7].Label, Weight = 0 });

        var data = TabularDataReader.Read(ml.Data.LoadFromEnumerable(rows), "Features", "Label", "Weight", LabelKind.Binary);
        var dataWithZero = TabularDataReader.Read(ml.Data.LoadFromEnumerable(withZero), "Features", "Label", "Weight", LabelKind.Binary);
        using var a = TrainingLoop.Train(data, null, Spec(data), Options(epochs: 3)).Network;
        using var b = TrainingLoop.Train(dataWithZero, null, Spec(dataWithZero), Options(epochs: 3)).Network;

        Assert.Equal(1, dataWithZero.Skipped.ZeroWeight);
        Assert.Equal(Weights(a), Weights(b));
    }

    [Fact]
    public void A_row_of_weight_two_counts_as_two_rows()
    {
        var data = SyntheticData.Create(LabelKind.Multiclass, rows: 30, seed: 3);
        var weights = Enumerable.Repeat(1f, 30).ToArray();
        weights[7] = 2;
        var weighted = TabularData.FromArrays(LabelKind.Multiclass, data.Features, data.Labels, data.FeatureCount, data.ClassCount, weights);
        var duplicated = data.Select([.. Enumerable.Range(0, 30), 7]);
        // One full batch in a fixed order: both losses are the same mean over the same 31 rows.
        var options = Options(epochs: 20, batchSize: 64) with { Shuffle = false };

        using var a = TrainingLoop.Train(weighted, null, Spec(data), options).Network;
        using var b = TrainingLoop.Train(duplicated, null, Spec(data), options).Network;

        var wa = Weights(a);
        var wb = Weights(b);
        Assert.All(wa.Zip(wb), p => Assert.Equal(p.First, p.Second, 1e-4));
    }

    [Fact]
    public void The_thread_count_is_set_for_training_and_restored_afterwards()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: 40, seed: 1);
        var before = torch.get_num_threads();
        var wanted = before == 1 ? 2 : 1;
        var during = 0;

        TrainingLoop.Train(train, null, Spec(train), Options(epochs: 1) with { NumberOfThreads = wanted },
            checkAlive: () => during = torch.get_num_threads()).Network.Dispose();

        Assert.Equal(wanted, during);
        Assert.Equal(before, torch.get_num_threads());
    }

    [Fact]
    public void A_warm_start_continues_from_the_given_weights_and_refuses_another_layout()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: 200, seed: 1, separation: 1.5);
        var first = TrainingLoop.Train(train, null, Spec(train), Options(epochs: 10));
        var weights = MlpNetwork.SaveWeights(first.Network);
        first.Network.Dispose();

        var fresh = TrainingLoop.Train(train, null, Spec(train), Options(epochs: 1));
        fresh.Network.Dispose();
        var warm = TrainingLoop.Train(train, null, Spec(train), Options(epochs: 1), new WarmStart(weights));
        warm.Network.Dispose();

        Assert.True(warm.History.Epochs[0].TrainLoss < 0.8 * fresh.History.Epochs[0].TrainLoss,
            $"warm {warm.History.Epochs[0].TrainLoss}, fresh {fresh.History.Epochs[0].TrainLoss}");
        Assert.True(Math.Abs(warm.History.Epochs[0].TrainLoss - first.History.Epochs[^1].TrainLoss) < 0.1 * first.History.Epochs[^1].TrainLoss + 0.01);

        var e = Assert.Throws<InvalidOperationException>(() =>
            TrainingLoop.Train(train, null, Spec(train, [8]), Options(epochs: 1), new WarmStart(weights, Source: "the model passed to Fit")));
        Assert.Contains("The weights of the model passed to Fit do not fit a network MLP 4-8-1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensors_do_not_accumulate_over_minibatches_and_epochs()
    {
        var train = SyntheticData.Create(LabelKind.Multiclass, rows: 64, seed: 1, weighted: true);
        var validation = SyntheticData.Create(LabelKind.Multiclass, rows: 20, seed: 2);
        var spec = Spec(train, [8], batchNorm: true, dropout: 0.1);

        long Leaked(int epochs)
        {
            var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            TrainingLoop.Train(train, validation, spec, Options(epochs: epochs, batchSize: 8) with { EarlyStoppingPatience = 100 }).Network.Dispose();
            return DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
        }

        Leaked(1);
        Assert.Equal(0, Leaked(2));
        Assert.Equal(0, Leaked(6));
    }

    [Fact]
    public void Logs_one_line_per_epoch()
    {
        var train = SyntheticData.Create(LabelKind.Multiclass, rows: 60, seed: 1);
        var validation = SyntheticData.Create(LabelKind.Multiclass, rows: 30, seed: 2);
        var lines = new List<string>();

        var result = TrainingLoop.Train(train, validation, Spec(train), Options(epochs: 3), log: lines.Add);
        result.Network.Dispose();

        Assert.Equal(3, lines.Count);
        Assert.Matches(@"^Epoch 2/3: train loss [\d.]+, validation loss [\d.]+, validation accuracy [\d.]+ %, learning rate 0\.01, [\d.]+ s$", lines[1]);
        Assert.Equal(
            "MLP 4-16-3, ReLU; AdamW: α = 0.01, λ = 0.01 (learning-rate scaling, biases and norms spared), β = (0.9, 0.999), ε = 1e-8; constant learning rate; 3 epochs of minibatches of 16",
            result.Description);
    }

    private static TrainingOptions WithInvalid(string name)
    {
        var o = Options();
        return name switch
        {
            nameof(TrainingOptions.NumberOfEpochs) => o with { NumberOfEpochs = 0 },
            nameof(TrainingOptions.BatchSize) => o with { BatchSize = 0 },
            nameof(TrainingOptions.NumberOfThreads) => o with { NumberOfThreads = 0 },
            nameof(TrainingOptions.WarmupEpochs) => o with { WarmupEpochs = 11 },
            nameof(TrainingOptions.StepSize) => o with { StepSize = 0 },
            nameof(TrainingOptions.StepGamma) => o with { StepGamma = 0 },
            nameof(TrainingOptions.MinimumLearningRateFraction) => o with { MinimumLearningRateFraction = 1.5 },
            nameof(TrainingOptions.EarlyStoppingPatience) => o with { EarlyStoppingPatience = 0 },
            nameof(TrainingOptions.CheckpointInterval) => o with { CheckpointInterval = 0 },
            nameof(TrainingOptions.LearningRateSchedule) => o with { LearningRateSchedule = (LearningRateSchedule)9 },
            nameof(AdamOptimizerOptions.Beta1) => o with { Optimizer = new AdamOptimizerOptions { Beta1 = 1 } },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [InlineData(nameof(TrainingOptions.NumberOfEpochs))]
    [InlineData(nameof(TrainingOptions.BatchSize))]
    [InlineData(nameof(TrainingOptions.NumberOfThreads))]
    [InlineData(nameof(TrainingOptions.WarmupEpochs))]
    [InlineData(nameof(TrainingOptions.StepSize))]
    [InlineData(nameof(TrainingOptions.StepGamma))]
    [InlineData(nameof(TrainingOptions.MinimumLearningRateFraction))]
    [InlineData(nameof(TrainingOptions.EarlyStoppingPatience))]
    [InlineData(nameof(TrainingOptions.CheckpointInterval))]
    [InlineData(nameof(TrainingOptions.LearningRateSchedule))]
    [InlineData(nameof(AdamOptimizerOptions.Beta1))]
    public void Out_of_range_options_are_named(string name)
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: 20, seed: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TrainingLoop.Train(train, null, Spec(train), WithInvalid(name)));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void Contradictory_settings_are_refused_before_training()
    {
        var train = SyntheticData.Create(LabelKind.Binary, rows: 20, seed: 1);
        var multiclass = SyntheticData.Create(LabelKind.Multiclass, rows: 20, seed: 1);

        Assert.Contains("needs validation data", Assert.Throws<ArgumentException>(() =>
            TrainingLoop.Train(train, null, Spec(train), Options() with { EarlyStoppingPatience = 2 })).Message, StringComparison.Ordinal);
        Assert.Contains("needs a CheckpointDirectory", Assert.Throws<ArgumentException>(() =>
            TrainingLoop.Train(train, null, Spec(train), Options() with { Resume = true })).Message, StringComparison.Ordinal);
        Assert.Contains("does not match the training data", Assert.Throws<ArgumentException>(() =>
            TrainingLoop.Train(train, multiclass, Spec(train), Options())).Message, StringComparison.Ordinal);
        Assert.Contains("needs 3", Assert.Throws<ArgumentException>(() =>
            TrainingLoop.Train(multiclass, null, Spec(train), Options())).Message, StringComparison.Ordinal);
        Assert.Contains("Batch norm needs at least 2 rows", Assert.Throws<ArgumentException>(() =>
            TrainingLoop.Train(train, null, Spec(train, batchNorm: true), Options(batchSize: 1))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(64, 16, false, new[] { 0, 16, 32, 48, 64 })]
    [InlineData(65, 16, false, new[] { 0, 16, 32, 48, 64, 65 })]
    [InlineData(65, 16, true, new[] { 0, 16, 32, 48, 65 })]
    [InlineData(10, 64, true, new[] { 0, 10 })]
    public void Minibatches_cover_every_row_and_batch_norm_never_sees_a_single_row(int rows, int batchSize, bool batchNorm, int[] expected)
    {
        Assert.Equal(expected, TrainingLoop.PlanBatches(rows, batchSize, batchNorm));
    }

    private sealed class WeightedRow
    {
        [VectorType(3)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }

        public float Weight { get; set; }
    }
}
