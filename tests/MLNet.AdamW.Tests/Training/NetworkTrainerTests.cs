using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Data;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Training;

/// <summary>The public training entry point on hand-built modules, from tensors and from an IDataView.</summary>
public sealed class NetworkTrainerTests
{
    private static NetworkTrainingOptions Options(TrainingTask task, int epochs = 8) => new()
    {
        Task = task,
        Optimizer = new AdamOptimizerOptions { LearningRate = 1e-2, WeightDecay = 1e-2 },
        NumberOfEpochs = epochs,
        BatchSize = 16,
        Seed = 3,
        NumberOfThreads = 1,
    };

    private static nn.Module<Tensor, Tensor> Network(int inputs, int outputs, int seed = 1)
    {
        torch.manual_seed(seed);
        return nn.Sequential(nn.Linear(inputs, 16), nn.ReLU(), nn.Linear(16, outputs));
    }

    private static TensorData Tensors(TabularData data, bool int64Labels = false) => new(
        torch.tensor(data.Features, [data.RowCount, data.FeatureCount]),
        int64Labels ? torch.tensor(data.Labels.Select(l => (long)l).ToArray()) : torch.tensor(data.Labels),
        data.Weights is null ? null : torch.tensor(data.Weights));

    private static double Accuracy(nn.Module<Tensor, Tensor> network, TabularData data)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var output = network.forward(torch.tensor(data.Features, [data.RowCount, data.FeatureCount]));
        var predicted = output.shape[1] == 1 ? output.view(-1).gt(0).to_type(ScalarType.Float32) : output.argmax(1).to_type(ScalarType.Float32);
        return predicted.eq(torch.tensor(data.Labels)).to_type(ScalarType.Float32).mean().ToDouble();
    }

    private static float[] Weights(nn.Module network) =>
        network.state_dict().Values.Where(t => t.is_floating_point()).SelectMany(t => t.data<float>().ToArray()).ToArray();

    [Fact]
    public void Trains_a_hand_built_module_on_tensors()
    {
        var train = SyntheticData.Create(LabelKind.Multiclass, rows: 300, seed: 1);
        var validation = SyntheticData.Create(LabelKind.Multiclass, rows: 150, seed: 2);
        using var network = Network(4, 3);
        var untrained = Accuracy(network, validation);

        var history = NetworkTrainer.Train(network, Tensors(train, int64Labels: true), Options(TrainingTask.MulticlassClassification),
            Tensors(validation, int64Labels: true));

        Assert.Equal(8, history.Epochs.Count);
        Assert.Equal(8, history.ModelEpoch);
        Assert.False(network.training);
        Assert.True(history.Epochs[^1].ValidationAccuracy >= 0.97, history.ToString());
        // The history's accuracy is the module's own, computed independently here.
        Assert.Equal(history.Epochs[^1].ValidationAccuracy!.Value, Accuracy(network, validation), 6);
        Assert.True(untrained < 0.8, $"untrained accuracy {untrained}");
    }

    [Fact]
    public void Trains_binary_and_regression_and_stops_early()
    {
        var binary = SyntheticData.Create(LabelKind.Binary, rows: 200, seed: 1);
        using (var network = Network(4, 1))
        {
            var history = NetworkTrainer.Train(network, Tensors(binary), Options(TrainingTask.BinaryClassification));
            Assert.True(Accuracy(network, binary) >= 0.95, history.ToString());
        }

        var regression = SyntheticData.Create(LabelKind.Regression, rows: 200, seed: 1, weighted: true);
        var held = SyntheticData.Create(LabelKind.Regression, rows: 100, seed: 2);
        using (var network = Network(4, 1))
        {
            var options = Options(TrainingTask.Regression, epochs: 200);
            options.EarlyStoppingPatience = 3;
            options.Optimizer = new AdamOptimizerOptions { LearningRate = 3e-2 };
            var history = NetworkTrainer.Train(network, Tensors(regression), options, Tensors(held));
            Assert.True(history.StoppedEarly, history.ToString());
            Assert.Equal(history.BestEpoch, history.ModelEpoch);
            Assert.Equal(history.BestEpoch + 3, history.Epochs.Count);
            Assert.True(history.Epochs[history.ModelEpoch - 1].ValidationLoss < 0.2 * history.Epochs[0].ValidationLoss, history.ToString());
        }
    }

    private sealed class Row
    {
        [VectorType(4)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    [Fact]
    public void An_IDataView_trains_exactly_as_the_same_rows_as_tensors()
    {
        var data = SyntheticData.Create(LabelKind.Binary, rows: 120, seed: 1);
        var rows = Enumerable.Range(0, data.RowCount).Select(r => new Row
        {
            Features = data.Features.AsSpan(r * 4, 4).ToArray(),
            Label = data.Labels[r] == 1,
        });
        var view = new MLContext(seed: 1).Data.LoadFromEnumerable(rows);
        var lines = new List<string>();

        using var fromView = Network(4, 1);
        var options = Options(TrainingTask.BinaryClassification, epochs: 3);
        options.Log = lines.Add;
        var viewHistory = NetworkTrainer.Train(fromView, view, options);
        using var fromTensors = Network(4, 1);
        var tensorHistory = NetworkTrainer.Train(fromTensors, Tensors(data), Options(TrainingTask.BinaryClassification, epochs: 3));

        Assert.Equal(Weights(fromTensors), Weights(fromView));
        Assert.Equal(tensorHistory.Epochs.Select(e => e.TrainLoss), viewHistory.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(3, lines.Count);
        Assert.StartsWith("Epoch 3/3: train loss ", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_loss_scale_multiplies_the_gradients_only()
    {
        // Plain SGD steps by α·c·g with the loss scaled by c: the same as α·c with no scaling (up to rounding).
        var data = SyntheticData.Create(LabelKind.Multiclass, rows: 64, seed: 1);
        NetworkTrainingOptions Sgd(double rate, double scale)
        {
            var options = Options(TrainingTask.MulticlassClassification, epochs: 2);
            options.Optimizer = new SgdOptimizerOptions { LearningRate = rate, Momentum = 0, WeightDecay = 0, WeightDecayMode = WeightDecayMode.None };
            options.LossScale = scale;
            return options;
        }
        using var scaled = Network(4, 3);
        var scaledHistory = NetworkTrainer.Train(scaled, Tensors(data, int64Labels: true), Sgd(0.01, 4));
        using var faster = Network(4, 3);
        var fasterHistory = NetworkTrainer.Train(faster, Tensors(data, int64Labels: true), Sgd(0.04, 1));

        var difference = Weights(scaled).Zip(Weights(faster), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(difference < 1e-5, $"largest difference {difference}");
        Assert.Equal(fasterHistory.Epochs[0].TrainLoss, scaledHistory.Epochs[0].TrainLoss, 5);
    }

    [Fact]
    public void Invalid_arguments_are_refused_with_clear_messages()
    {
        var data = SyntheticData.Create(LabelKind.Multiclass, rows: 20, seed: 1);
        using var network = Network(4, 3);
        var tensors = Tensors(data, int64Labels: true);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NetworkTrainer.Train(network, tensors, new NetworkTrainingOptions()));
        Assert.Equal("Task", e.ParamName);

        var options = Options(TrainingTask.MulticlassClassification);
        options.BatchSize = 0;
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => NetworkTrainer.Train(network, tensors, options)).ParamName);

        var tooFew = Assert.Throws<ArgumentException>(() => NetworkTrainer.Train(network, tensors, Options(TrainingTask.BinaryClassification)));
        Assert.Contains("must output one value per row ([rows] or [rows, 1]); on 2 rows it gave [2, 3]", tooFew.Message, StringComparison.Ordinal);

        using var twoClasses = Network(4, 2);
        var labels = Assert.Throws<ArgumentException>(() => NetworkTrainer.Train(twoClasses, tensors, Options(TrainingTask.MulticlassClassification)));
        Assert.Contains("the network has 2 outputs, so class indices 0 to 1", labels.Message, StringComparison.Ordinal);

        var flat = new TensorData(torch.zeros(20), tensors.Labels);
        Assert.Contains("[rows, features]", Assert.Throws<ArgumentException>(() => NetworkTrainer.Train(network, flat, Options(TrainingTask.MulticlassClassification))).Message, StringComparison.Ordinal);

        var wrongWidth = new TensorData(torch.zeros(20, 5), tensors.Labels);
        Assert.Contains("cannot take [5] features per row", Assert.Throws<ArgumentException>(() => NetworkTrainer.Train(network, wrongWidth, Options(TrainingTask.MulticlassClassification))).Message, StringComparison.Ordinal);

        var shortLabels = new TensorData(tensors.Features, torch.zeros(19, ScalarType.Int64));
        Assert.Contains("The labels must be a [20] tensor", Assert.Throws<ArgumentException>(() => NetworkTrainer.Train(network, shortLabels, Options(TrainingTask.MulticlassClassification))).Message, StringComparison.Ordinal);

        var patience = Options(TrainingTask.MulticlassClassification);
        patience.EarlyStoppingPatience = 2;
        Assert.Contains("EarlyStoppingPatience needs validation data", Assert.Throws<ArgumentException>(() => NetworkTrainer.Train(network, tensors, patience)).Message, StringComparison.Ordinal);

        var nullObserver = Options(TrainingTask.MulticlassClassification);
        nullObserver.Observers.Add(null!);
        Assert.Equal("Observers", Assert.Throws<ArgumentException>(() => NetworkTrainer.Train(network, tensors, nullObserver)).ParamName);

        var view = new MLContext(seed: 1).Data.LoadFromEnumerable(new[] { new Row { Features = [1, 2, 3, 4], Label = true } });
        var column = Options(TrainingTask.BinaryClassification);
        column.LabelColumnName = "IsGood";
        Assert.Contains("IsGood", Assert.Throws<ArgumentOutOfRangeException>(() => NetworkTrainer.Train(Network(4, 1), view, column)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_stops_training()
    {
        var data = SyntheticData.Create(LabelKind.Binary, rows: 64, seed: 1);
        using var network = Network(4, 1);
        var options = Options(TrainingTask.BinaryClassification);
        options.CancellationToken = new CancellationToken(canceled: true);
        Assert.ThrowsAny<OperationCanceledException>(() => NetworkTrainer.Train(network, Tensors(data), options));
    }
}
