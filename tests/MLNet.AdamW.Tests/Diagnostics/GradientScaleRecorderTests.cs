using System.Globalization;
using Microsoft.ML;
using MLNet.AdamW.Data;
using MLNet.AdamW.Diagnostics;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Tests.Trainers;
using MLNet.AdamW.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Diagnostics;

/// <summary>The recorder in real training: what it records, when, and that it changes nothing.</summary>
public sealed class GradientScaleRecorderTests
{
    /// <summary>
    /// f(x) = x[0..4]·small + x[4..8]·large, both tensors starting at 0: with every label 1 the squared
    /// error's gradient is −2·(mean of each feature), so the features choose each layer's gradient scale.
    /// </summary>
    private sealed class TwoScales : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter _small = new(torch.zeros(4));
        private readonly Parameter _large = new(torch.zeros(4));

        public TwoScales()
            : base(nameof(TwoScales))
        {
            register_parameter("small", _small);
            register_parameter("large", _large);
        }

        public override Tensor forward(Tensor input) => input[.., ..4].matmul(_small) + input[.., 4..].matmul(_large);
    }

    [Fact]
    public void A_hand_built_network_whose_layers_have_known_gradient_scales_gives_the_known_spreads()
    {
        // Every row: small's features 2^-10·(1, 2, 4, 8), large's 2^2·(1, 2, 4, 8), so
        // |g_small| = 2^-9 … 2^-6 and |g_large| = 2^3 … 2^6 (8 rows, exact in float32).
        const int rows = 8;
        var features = new float[rows * 8];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < 4; j++)
            {
                features[r * 8 + j] = MathF.Pow(2, -10 + j);
                features[r * 8 + 4 + j] = MathF.Pow(2, 2 + j);
            }
        }
        using var network = new TwoScales();
        var recorder = new GradientScaleRecorder();
        NetworkTrainer.Train(network, new TensorData(torch.tensor(features, [rows, 8]), torch.ones(rows)), new NetworkTrainingOptions
        {
            Task = TrainingTask.Regression,
            Optimizer = new AdamOptimizerOptions { LearningRate = 3e-3, WeightDecay = 0, WeightDecayMode = WeightDecayMode.None, Epsilon = 0 },
            NumberOfEpochs = 1,
            BatchSize = rows,
            NumberOfThreads = 1,
            Observers = { recorder },
        });

        var snapshot = Assert.Single(recorder.Diagnostics.Snapshots);
        Assert.Equal(["small", "large"], snapshot.Layers.Select(l => l.Name));
        Assert.Equal((1L, 1, 1), (snapshot.Step, snapshot.Epoch, snapshot.Minibatch));
        // The same numbers as worked out in GradientScaleStatisticsTests: 14 + log2(1.3/1.7) and 12 octaves.
        Assert.Equal(14 + Math.Log2(1.3 / 1.7), snapshot.GradientPercentileSpread, 10);
        Assert.Equal(12, snapshot.LayerRmsSpread, 10);
        foreach (var (layer, first) in new[] { (snapshot.Layers[0], -9), (snapshot.Layers[1], 3) })
        {
            for (var e = first; e < first + 4; e++)
                Assert.Equal(1, layer.Gradient.Count(e));
            // The weights were 0 (clipped into the lowest bucket); Adam's first step moves each by α = 3e-3 (bucket −9).
            Assert.Equal(4, layer.Weight.Count(Log2Histogram.MinExponent));
            Assert.Equal(4, layer.Update.Count(-9));
            Assert.Equal(3e-3, layer.UpdateRms, 8);
        }
    }

    private static TabularData Images(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * 64];
        var y = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var label = r % 2;
            for (var i = 0; i < 64; i++)
                x[r * 64 + i] = (float)(random.NextDouble() - 0.5 + (label == 1 && i % 8 < 4 ? 0.5 : 0));
            y[r] = label;
        }
        return TabularData.FromArrays(LabelKind.Multiclass, x, y, 64, 2, null);
    }

    private static TrainingOptions Options(params TrainingObserver[] observers) => new()
    {
        Optimizer = new AdamOptimizerOptions { LearningRate = 1e-2, WeightDecay = 1e-2, WeightDecayMode = WeightDecayMode.Decoupled },
        NumberOfEpochs = 4,
        BatchSize = 16,
        Seed = 5,
        NumberOfThreads = 1,
        Observers = observers,
    };

    private static ResNetNetwork ResNet(bool batchNorm) => new(new ImageShape(1, 8, 8), 8, 4, batchNorm, projectionShortcuts: false, 2);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Recording_changes_no_training_result(bool batchNorm)
    {
        var data = Images(64, seed: 1);
        var recorder = new GradientScaleRecorder(new GradientScaleDiagnosticsOptions { Epochs = [1, 2, 3, 4], EveryNSteps = 1 });
        var plain = TrainingLoop.Train(data, null, ResNet(batchNorm), Options());
        var recorded = TrainingLoop.Train(data, null, ResNet(batchNorm), Options(recorder));
        using var a = plain.Network;
        using var b = recorded.Network;

        Assert.Equal(16, recorder.Diagnostics.Snapshots.Count);     // every step of 4 epochs × 4 minibatches
        Assert.Equal(NetworkDefinition.SaveWeights(a), NetworkDefinition.SaveWeights(b));
        Assert.Equal(plain.History.Epochs.Select(e => e.TrainLoss), recorded.History.Epochs.Select(e => e.TrainLoss));
    }

    [Fact]
    public void Histograms_count_every_coordinate_at_the_chosen_epochs_and_steps()
    {
        var data = Images(64, seed: 2);
        var recorder = new GradientScaleRecorder(new GradientScaleDiagnosticsOptions { Epochs = [1, 3], EveryNSteps = 6 });
        var result = TrainingLoop.Train(data, null, ResNet(batchNorm: true), Options(recorder));
        using var network = result.Network;
        var parameters = network.named_parameters().ToArray();

        // Four minibatches per epoch: epoch 1 and 3 start at steps 1 and 9; every 6th step adds 6 and 12.
        Assert.Equal([1L, 6, 9, 12], recorder.Diagnostics.Snapshots.Select(s => s.Step));
        Assert.Equal([(1, 1), (2, 2), (3, 1), (3, 4)], recorder.Diagnostics.Snapshots.Select(s => (s.Epoch, s.Minibatch)));
        var total = parameters.Sum(p => p.parameter.numel());
        foreach (var snapshot in recorder.Diagnostics.Snapshots)
        {
            Assert.Equal(parameters.Select(p => p.name), snapshot.Layers.Select(l => l.Name));
            for (var l = 0; l < parameters.Length; l++)
            {
                var layer = snapshot.Layers[l];
                Assert.Equal(parameters[l].parameter.numel(), layer.Coordinates);
                Assert.All(new[] { layer.Gradient, layer.Update, layer.Weight }, h => Assert.Equal(layer.Coordinates, h.Total));
            }
            Assert.Equal(total, snapshot.All.Coordinates);
            Assert.All(new[] { snapshot.All.Gradient, snapshot.All.Update, snapshot.All.Weight }, h => Assert.Equal(total, h.Total));
            Assert.True(snapshot.GradientPercentileSpread > 0 && snapshot.LayerRmsSpread > 0);
        }
        var diagnostics = recorder.Diagnostics;
        Assert.Same(diagnostics.Snapshots[2], diagnostics.ForEpoch(3));   // not step 12, the epoch's fourth minibatch
        Assert.Null(diagnostics.ForEpoch(2));                           // step 6 is epoch 2's second minibatch
    }

    [Fact]
    public void The_csv_has_one_row_per_snapshot_and_layer_and_the_json_reads_back_identically()
    {
        var data = Images(32, seed: 3);
        var recorder = new GradientScaleRecorder(new GradientScaleDiagnosticsOptions { Epochs = [1, 2] });
        using var network = TrainingLoop.Train(data, null, ResNet(batchNorm: false), Options(recorder)).Network;
        var diagnostics = recorder.Diagnostics;

        using var csv = new StringWriter(CultureInfo.InvariantCulture);
        diagnostics.WriteCsv(csv);
        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        var header = lines[0].Split(',');
        Assert.Equal(13 + 3 * Log2Histogram.BucketCount, header.Length);
        Assert.Equal(["step", "epoch", "minibatch", "learning_rate", "layer", "coordinates"], header[..6]);
        Assert.Equal(["g_-27", "g_13", "u_-27", "x_13"], new[] { header[13], header[53], header[54], header[^1] });
        var layerCount = diagnostics.Snapshots[0].Layers.Count;
        Assert.Equal(1 + 2 * (layerCount + 1), lines.Length);
        foreach (var line in lines[1..])
        {
            var fields = line.Split(',');
            Assert.Equal(header.Length, fields.Length);
            var coordinates = long.Parse(fields[5], CultureInfo.InvariantCulture);
            for (var h = 0; h < 3; h++)
                Assert.Equal(coordinates, fields.Skip(13 + h * Log2Histogram.BucketCount).Take(Log2Histogram.BucketCount).Sum(f => long.Parse(f, CultureInfo.InvariantCulture)));
        }
        var pooled = lines[1].Split(',');
        Assert.Equal(LayerGradientScale.AllLayers, pooled[4]);
        Assert.Equal(diagnostics.Snapshots[0].GradientPercentileSpread, double.Parse(pooled[11], CultureInfo.InvariantCulture));
        Assert.Equal("", lines[2].Split(',')[11]);

        using var json = new MemoryStream();
        diagnostics.WriteJson(json);
        json.Position = 0;
        var read = GradientScaleDiagnostics.ReadJson(json);
        using var again = new StringWriter(CultureInfo.InvariantCulture);
        read.WriteCsv(again);
        Assert.Equal(csv.ToString(), again.ToString());
    }

    [Fact]
    public void Malformed_json_fails_with_a_message_saying_what_is_wrong()
    {
        static InvalidDataException Read(string text) =>
            Assert.Throws<InvalidDataException>(() => GradientScaleDiagnostics.ReadJson(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text))));

        Assert.Contains("format", Read("""{"snapshots": []}""").Message, StringComparison.Ordinal);
        Assert.Contains("snapshots", Read("""{"format": "mlnet-adamw.gradient-scale.v1", "minExponent": -27, "maxExponent": 13}""").Message, StringComparison.Ordinal);
        Assert.Contains("malformed", Read("{").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_trainer_keeps_the_diagnostics_on_the_model_and_trains_the_same_weights()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 3);
        var plain = ml.MulticlassClassification.Trainers.AdamW(options).Fit(data);
        options.Diagnostics = new GradientScaleDiagnosticsOptions { Epochs = [1, 3] };
        var recorded = ml.MulticlassClassification.Trainers.AdamW(options).Fit(data);

        Assert.Null(plain.Model.Diagnostics);
        var diagnostics = recorded.Model.Diagnostics!;
        Assert.Equal([1, 3], diagnostics.Snapshots.Select(s => s.Epoch));
        Assert.Equal(4, diagnostics.Snapshots[0].Layers.Count);      // 7-16-3: two weights, two biases
        Assert.Equal(7 * 16 + 16 + 16 * 3 + 3, diagnostics.Snapshots[0].All.Coordinates);
        Assert.Equal(Weights(plain.Model), Weights(recorded.Model));
    }

    private static float[] Weights(AdamWMulticlassModelParameters model) => [.. model.ContentForWarmStart.Tensors.SelectMany(t => t.Values)];

    private static string Csv(GradientScaleDiagnostics diagnostics)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        diagnostics.WriteCsv(text);
        return text.ToString();
    }

    [Fact]
    public void A_saved_model_keeps_its_diagnostics_and_one_without_loads_without()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 2);
        var plain = ml.MulticlassClassification.Trainers.AdamW(options).Fit(data);
        options.Diagnostics = new GradientScaleDiagnosticsOptions { Epochs = [2], EveryNSteps = 3 };
        var recorded = ml.MulticlassClassification.Trainers.AdamW(options).Fit(data);

        AdamWMulticlassModelParameters SavedAndLoaded(ITransformer model)
        {
            var path = TrainerData.TempPath();
            try
            {
                ml.Model.Save(model, data.Schema, path);
                return Assert.IsType<Microsoft.ML.Data.MulticlassPredictionTransformer<AdamWMulticlassModelParameters>>(new MLContext().Model.Load(path, out _)).Model;
            }
            finally
            {
                File.Delete(path);
            }
        }

        var loaded = SavedAndLoaded(recorded).Diagnostics;
        Assert.NotNull(loaded);
        Assert.Equal(Csv(recorded.Model.Diagnostics!), Csv(loaded));
        Assert.Null(SavedAndLoaded(plain).Diagnostics);
    }

    [Fact]
    public void Out_of_range_diagnostics_options_fail_naming_the_option()
    {
        var late = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AdamWBinaryTrainer.Options { NumberOfEpochs = 5, Diagnostics = new GradientScaleDiagnosticsOptions { Epochs = [1, 6] } }.Validate());
        Assert.Equal("Epochs", late.ParamName);
        Assert.Contains("6", late.Message, StringComparison.Ordinal);
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => new GradientScaleRecorder(new GradientScaleDiagnosticsOptions { Epochs = [0] }));
        Assert.Equal("Epochs", zero.ParamName);
        var every = Assert.Throws<ArgumentOutOfRangeException>(() => new GradientScaleDiagnosticsOptions { EveryNSteps = 0 }.Validate());
        Assert.Equal("EveryNSteps", every.ParamName);
    }
}
