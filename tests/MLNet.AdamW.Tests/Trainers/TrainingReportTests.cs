using Microsoft.ML;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>What a trained model tells about its training: per-epoch history, and the network and optimizer.</summary>
public sealed class TrainingReportTests
{
    /// <summary>344 penguins in minibatches of 32.</summary>
    private const int StepsPerEpoch = 11;

    [Fact]
    public void History_has_one_finite_entry_per_epoch_with_the_cosine_schedule_after_warm_up()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 8);
        options.LearningRate = 0.02;
        options.WarmupEpochs = 2;
        options.MinimumLearningRateFraction = 0.1;
        var model = ml.MulticlassClassification.Trainers.AdamW(options).Fit(data).Model;

        var history = model.History;
        Assert.Equal(Enumerable.Range(1, 8), history.Epochs.Select(e => e.Epoch));
        Assert.All(history.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss) && e.TrainLoss > 0, $"epoch {e.Epoch}: loss {e.TrainLoss}"));
        Assert.All(history.Epochs, e => Assert.True(e.Duration >= TimeSpan.Zero));
        Assert.All(history.Epochs, e => Assert.Null(e.ValidationLoss));
        Assert.True(history.Epochs[^1].TrainLoss < history.Epochs[0].TrainLoss);
        Assert.Null(history.BestEpoch);
        Assert.Equal(8, history.ModelEpoch);
        Assert.False(history.StoppedEarly);

        // The rate of each epoch's last step: linear warm-up over 2 epochs, then cosine from α to 0.1·α.
        const long total = 8 * StepsPerEpoch, warmup = 2 * StepsPerEpoch;
        foreach (var e in history.Epochs)
        {
            long step = e.Epoch * StepsPerEpoch - 1;
            var multiplier = step < warmup
                ? (step + 1) / (double)warmup
                : 0.1 + 0.9 * (1 + Math.Cos(Math.PI * (step - warmup) / (total - warmup - 1))) / 2;
            Assert.Equal(0.02 * multiplier, e.LearningRate, 12);
        }
        Assert.Equal(0.002, history.Epochs[^1].LearningRate, 12);
    }

    [Fact]
    public void History_follows_the_step_and_constant_schedules()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var step = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 6);
        step.LearningRateSchedule = LearningRateSchedule.Step;
        step.StepSize = 2;
        step.StepGamma = 0.5;
        var stepped = ml.MulticlassClassification.Trainers.AdamW(step).Fit(data).Model.History;
        Assert.Equal([0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025], stepped.Epochs.Select(e => e.LearningRate));

        var constant = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 3);
        constant.LearningRateSchedule = LearningRateSchedule.Constant;
        var flat = ml.MulticlassClassification.Trainers.AdamW(constant).Fit(data).Model.History;
        Assert.All(flat.Epochs, e => Assert.Equal(0.01, e.LearningRate));
    }

    [Fact]
    public void History_records_validation_and_early_stopping_and_survives_save_and_load()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 300);
        options.LearningRate = 0.1;
        options.LearningRateSchedule = LearningRateSchedule.Constant;
        options.ValidationFraction = 0.3;
        options.EarlyStoppingPatience = 3;
        var transformer = ml.MulticlassClassification.Trainers.AdamW(options).Fit(data);
        var history = transformer.Model.History;

        Assert.True(history.StoppedEarly, history.ToString());
        Assert.InRange(history.Epochs.Count, 4, 299);
        Assert.All(history.Epochs, e => Assert.True(double.IsFinite(e.ValidationLoss!.Value) && e.ValidationAccuracy is >= 0 and <= 1));
        var best = history.Epochs.MinBy(e => e.ValidationLoss!.Value)!;
        Assert.Equal(best.Epoch, history.BestEpoch);
        Assert.Equal(best.Epoch, history.ModelEpoch);
        Assert.Equal(history.Epochs.Count - 3, history.BestEpoch);
        Assert.Contains("best", history.ToString(), StringComparison.Ordinal);

        var path = TrainerData.TempPath();
        try
        {
            ml.Model.Save(transformer, data.Schema, path);
            var loaded = Assert.IsType<Microsoft.ML.Data.MulticlassPredictionTransformer<AdamWMulticlassModelParameters>>(new MLContext().Model.Load(path, out _));
            Assert.Equal(history.Epochs, loaded.Model.History.Epochs);
            Assert.Equal(history.BestEpoch, loaded.Model.History.BestEpoch);
            Assert.Equal(history.ModelEpoch, loaded.Model.History.ModelEpoch);
            Assert.True(loaded.Model.History.StoppedEarly);
            Assert.Equal(transformer.Model.NetworkDescription, loaded.Model.NetworkDescription);
            Assert.Equal(transformer.Model.OptimizerDescription, loaded.Model.OptimizerDescription);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_model_describes_its_network_and_optimizer()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSex(ml);
        var options = new AdamWBinaryTrainer.Options
        {
            Network = new MlpNetworkOptions { HiddenLayers = [12, 6], Activation = Activation.Tanh, Dropout = 0.25 }, NumberOfEpochs = 2, Seed = 1, NumberOfThreads = 1,
            LearningRate = 3e-3, WeightDecay = 0.05, WeightDecayMode = WeightDecayMode.Proximal,
        };
        var model = ml.BinaryClassification.Trainers.AdamW(options).Fit(data).Model;
        Assert.Equal(TrainerData.PenguinFeatureCount, model.FeatureCount);
        Assert.Equal("MLP 7-12-6-1, Tanh, dropout 0.25", model.NetworkDescription);
        Assert.Contains("AdamProx", model.OptimizerDescription, StringComparison.Ordinal);
        Assert.Contains("α = 0.003", model.OptimizerDescription, StringComparison.Ordinal);
        Assert.Contains("λ = 0.05", model.OptimizerDescription, StringComparison.Ordinal);
        Assert.Contains("cosine", model.OptimizerDescription, StringComparison.Ordinal);
        Assert.Contains("2 epochs", model.OptimizerDescription, StringComparison.Ordinal);

        var sgd = new AdamWRegressionTrainer.Options
        {
            Network = new MlpNetworkOptions { HiddenLayers = [] }, Optimizer = OptimizerKind.Sgd, Nesterov = true, WeightDecayMode = WeightDecayMode.L2, NumberOfEpochs = 1, Seed = 1,
            NumberOfThreads = 1, LearningRate = 1e-3,
        };
        var cars = TrainerData.CarMileage(ml);
        var linear = ml.Regression.Trainers.AdamW(sgd).Fit(cars).Model;
        Assert.Equal("MLP 9-1 (linear)", linear.NetworkDescription);
        Assert.Contains("SGD-ℓ2", linear.OptimizerDescription, StringComparison.Ordinal);
        Assert.Contains("Nesterov", linear.OptimizerDescription, StringComparison.Ordinal);
    }
}
