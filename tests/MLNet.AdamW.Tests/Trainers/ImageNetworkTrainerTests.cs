using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// What the trainers do for an MLP they do for the CNN and the ResNet: warm starts (and a clear refusal of
/// another layout), checkpoints and an exact resume, validation and early stopping, cancellation, label
/// standardization, OneVersusAll, PFI and CrossValidate, the TorchSharp module and its saved bytes, and the
/// model's description and parameter count. 1×8×8 images (<see cref="ImageData"/>), small networks.
/// </summary>
public sealed class ImageNetworkTrainerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mlnet-adamw-image-checkpoints-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("cnn")]
    [InlineData("resnet-bn")]
    public void A_warm_start_continues_from_the_given_models_weights(string network)
    {
        var ml = new MLContext(seed: 1);
        var data = ImageData.Multiclass(ml);
        var first = ml.MulticlassClassification.Trainers.AdamW(ImageData.Quick<AdamWMulticlassTrainer.Options>(network, epochs: 3)).Fit(data);
        // A learning rate of 1e-12 leaves the parameters where the warm start put them (batch norm's
        // running statistics still move with the new epoch, so they are not compared).
        var still = ImageData.Quick<AdamWMulticlassTrainer.Options>(network, epochs: 1);
        still.LearningRate = 1e-12;
        var continued = ml.MulticlassClassification.Trainers.AdamW(still).Fit(data, first.Model);
        static bool IsParameter(MLNet.AdamW.Model.NamedTensor t) => !t.Name.Contains("running_", StringComparison.Ordinal) && !t.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal);
        var before = first.Model.ContentForWarmStart.Tensors.Where(IsParameter).ToList();
        var after = continued.Model.ContentForWarmStart.Tensors.Where(IsParameter).ToList();
        Assert.Equal(before.Select(t => t.Name), after.Select(t => t.Name));
        for (var i = 0; i < before.Count; i++)
            for (var k = 0; k < before[i].Values.Length; k++)
                Assert.True(Math.Abs(before[i].Values[k] - after[i].Values[k]) < 1e-6, $"{before[i].Name}[{k}]: {before[i].Values[k]} vs {after[i].Values[k]}");
        var fresh = ml.MulticlassClassification.Trainers.AdamW(still).Fit(data);
        Assert.NotEqual(before.SelectMany(t => t.Values), fresh.Model.ContentForWarmStart.Tensors.Where(IsParameter).SelectMany(t => t.Values));
    }

    [Fact]
    public void A_warm_start_from_another_network_or_width_is_refused_naming_both_layouts()
    {
        var ml = new MLContext(seed: 1);
        var data = ImageData.Binary(ml);
        var cnn = ml.BinaryClassification.Trainers.AdamW(ImageData.Quick<AdamWBinaryTrainer.Options>("cnn", epochs: 1)).Fit(data);

        var resnet = ImageData.Quick<AdamWBinaryTrainer.Options>("resnet", epochs: 1);
        var e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.AdamW(resnet).Fit(data, cnn.Model));
        Assert.Contains("does not have the layout", e.Message, StringComparison.Ordinal);
        Assert.Contains("CNN 1×8×8 → 4-8", e.Message, StringComparison.Ordinal);
        Assert.Contains("ResNet-8 width 4 on 1×8×8", e.Message, StringComparison.Ordinal);

        var wider = ImageData.Quick<AdamWBinaryTrainer.Options>("cnn", epochs: 1);
        wider.Network = new ConvNetNetworkOptions { Widths = [4, 16], BatchNorm = false };
        var w = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.AdamW(wider).Fit(data, cnn.Model));
        Assert.Contains("→ 4-16", w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ResNet_run_resumed_after_a_crash_ends_exactly_where_an_uninterrupted_run_ends()
    {
        AdamWBinaryTrainer.Options Options(string directory, bool resume = false)
        {
            var options = ImageData.Quick<AdamWBinaryTrainer.Options>("resnet-bn", epochs: 4);
            options.CheckpointDirectory = directory;
            options.CheckpointInterval = 1;
            options.ResumeFromCheckpoint = resume;
            return options;
        }

        var ml = new MLContext(seed: 1);
        var data = ImageData.Binary(ml);
        var uninterrupted = ml.BinaryClassification.Trainers.AdamW(Options(Path.Combine(_directory, "uninterrupted"))).Fit(data);
        var expected = TrainerData.Values(uninterrupted.Transform(data), "Score");

        var crashing = new MLContext(seed: 1);
        crashing.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Info && e.Message.Contains("Epoch 3/4", StringComparison.Ordinal))
                typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.Invoke(crashing, null);
        };
        Assert.ThrowsAny<OperationCanceledException>(() => crashing.BinaryClassification.Trainers.AdamW(Options(_directory)).Fit(ImageData.Binary(crashing)));
        Assert.Equal(3, TrainingCheckpoint.Load(_directory)!.EpochsCompleted);

        var resuming = new MLContext(seed: 1);
        var resumed = resuming.BinaryClassification.Trainers.AdamW(Options(_directory, resume: true)).Fit(ImageData.Binary(resuming));
        Assert.Equal(expected, TrainerData.Values(resumed.Transform(data), "Score"));
        Assert.Equal(uninterrupted.Model.History.Epochs.Select(e => e.TrainLoss), resumed.Model.History.Epochs.Select(e => e.TrainLoss));
    }

    [Fact]
    public void Validation_and_early_stopping_keep_the_best_epochs_weights()
    {
        var ml = new MLContext(seed: 1);
        var options = ImageData.Quick<AdamWMulticlassTrainer.Options>("cnn-bn", epochs: 12);
        options.LearningRate = 3e-2;
        options.EarlyStoppingPatience = 2;
        var model = ml.MulticlassClassification.Trainers.AdamW(options).Fit(ImageData.Multiclass(ml), ImageData.Multiclass(ml, count: 32, seed: 2));
        var history = model.Model.History;
        Assert.All(history.Epochs, e => Assert.NotNull(e.ValidationLoss));
        var best = history.Epochs.MinBy(e => e.ValidationLoss!.Value)!;
        Assert.Equal(best.Epoch, history.BestEpoch);
        Assert.Equal(best.Epoch, history.ModelEpoch);
        if (history.StoppedEarly)
            Assert.True(history.Epochs.Count < 12 && history.Epochs[^1].Epoch - best.Epoch == 2);
    }

    [Fact]
    public void A_cancelled_token_stops_training()
    {
        var ml = new MLContext(seed: 1);
        using var source = new CancellationTokenSource();
        source.Cancel();
        var options = ImageData.Quick<AdamWRegressionTrainer.Options>("resnet");
        options.CancellationToken = source.Token;
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Regression.Trainers.AdamW(options).Fit(ImageData.Regression(ml)));
    }

    [Theory]
    [InlineData("cnn-bn")]
    [InlineData("resnet-projection")]
    public void A_standardized_regression_label_is_folded_into_the_output_layer(string network)
    {
        var ml = new MLContext(seed: 1);
        var data = ImageData.Regression(ml, count: 96);
        var options = ImageData.Quick<AdamWRegressionTrainer.Options>(network, epochs: 8);
        var model = ml.Regression.Trainers.AdamW(options).Fit(data);
        var metrics = ml.Regression.Evaluate(model.Transform(data));
        // The label (the bar's position) has mean ≈ 3.5 and variance ≈ 5.25; predicting in label units beats its mean.
        Assert.True(metrics.RSquared > 0.5, $"{network}: R² {metrics.RSquared}");
        using var module = model.Model.CreateTorchModule();
        var rows = TrainerData.FeatureRows(data);
        using var x = torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, ImageData.FeatureCount]);
        using var noGrad = torch.no_grad();
        using var y = module.forward(x);
        var scores = TrainerData.Scores(model.Transform(data)).Select(s => s[0]).ToArray();
        var forward = y.data<float>().ToArray();
        for (var i = 0; i < scores.Length; i++)
            Assert.True(Math.Abs(scores[i] - forward[i]) <= 1e-5 * (1 + Math.Abs(forward[i])), $"row {i}: score {scores[i]} vs module {forward[i]}");
    }

    [Fact]
    public void OneVersusAll_PFI_and_CrossValidate_work_with_image_networks()
    {
        var ml = new MLContext(seed: 1);
        var multiclass = ImageData.Multiclass(ml);
        var ova = ml.MulticlassClassification.Trainers.OneVersusAll(
            ml.BinaryClassification.Trainers.AdamW(ImageData.Quick<AdamWBinaryTrainer.Options>("cnn", epochs: 3)));
        var ovaMetrics = ml.MulticlassClassification.Evaluate(ova.Fit(multiclass).Transform(multiclass));
        Assert.InRange(ovaMetrics.MacroAccuracy, 0, 1);

        var binary = ImageData.Binary(ml);
        var model = ml.BinaryClassification.Trainers.AdamW(ImageData.Quick<AdamWBinaryTrainer.Options>("resnet", epochs: 3)).Fit(binary);
        var importance = ml.BinaryClassification.PermutationFeatureImportance(model, binary, permutationCount: 1);
        Assert.Equal(ImageData.FeatureCount, importance.Length);

        var folds = ml.Regression.CrossValidate(ImageData.Regression(ml), ml.Regression.Trainers.AdamW(ImageData.Quick<AdamWRegressionTrainer.Options>("cnn-bn")), numberOfFolds: 2);
        Assert.Equal(2, folds.Count);
        Assert.All(folds, f => Assert.True(double.IsFinite(f.Metrics.MeanSquaredError)));
    }

    [Theory]
    [InlineData("cnn-bn", "CNN 1×8×8 → 4-8 (3×3 conv, batch norm, ReLU, 2×2 max pool) → 2", 4 * 9 + 8 + 8 * 4 * 9 + 16 + (8 * 2 * 2 + 1) * 2)]
    [InlineData("resnet", "ResNet-8 width 4 on 1×8×8, option-A shortcuts, no batch norm, 2 outputs", 9 * 4 + 2 * 9 * 4 * 4 + 9 * 4 * 8 + 9 * 8 * 8 + 9 * 8 * 16 + 9 * 16 * 16 + (16 + 1) * 2)]
    public void The_model_describes_its_network_counts_its_parameters_and_hands_over_its_module(string network, string description, long parameters)
    {
        var ml = new MLContext(seed: 1);
        var data = ImageData.Multiclass(ml);
        var pipeline = ml.MulticlassClassification.Trainers.AdamW(ImageData.Quick<AdamWMulticlassTrainer.Options>(network))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDirection", "PredictedLabel"));
        var fitted = pipeline.Fit(data);
        var model = fitted.GetAdamWModel<AdamWMulticlassModelParameters>();
        Assert.Equal(description, model.NetworkDescription);
        Assert.Equal(parameters, model.ParameterCount);
        Assert.Equal(2, model.ClassCount);
        Assert.Equal(ImageData.FeatureCount, model.FeatureCount);

        using var module = model.CreateTorchModule();
        Assert.False(module.training);
        Assert.Equal(parameters, module.parameters().Sum(p => p.numel()));
        using var saved = new MemoryStream();
        model.SaveTorchModule(saved);
        using var expected = new MemoryStream();
        module.save(expected);
        Assert.Equal(expected.ToArray(), saved.ToArray());

        // The module's softmax is the model's Score.
        var rows = TrainerData.FeatureRows(data);
        using var x = torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, ImageData.FeatureCount]);
        using var noGrad = torch.no_grad();
        using var probabilities = nn.functional.softmax(module.forward(x), 1);
        var scores = TrainerData.Scores(fitted.Transform(data));
        var fromModule = probabilities.data<float>().ToArray();
        for (var i = 0; i < scores.Length; i++)
            for (var k = 0; k < 2; k++)
                Assert.True(Math.Abs(scores[i][k] - fromModule[i * 2 + k]) <= 1e-5, $"row {i}, class {k}: {scores[i][k]} vs {fromModule[i * 2 + k]}");
    }

    [Theory]
    [InlineData("cnn-bn")]
    [InlineData("resnet-projection")]
    public void The_default_decay_mask_spares_biases_and_batch_norm_for_image_networks(string network)
    {
        var options = ImageData.Quick<AdamWBinaryTrainer.Options>(network);
        var definition = options.Network.Define(ImageData.FeatureCount, ImageData.Shape, 1);
        using var module = definition.Build(seed: 1);
        var groups = definition.ParameterGroups(module, decayAllParameters: false);
        var decayed = groups.Where(g => g.WeightDecay is null or > 0).SelectMany(g => g.Parameters).ToHashSet();
        foreach (var (name, parameter) in module.named_parameters())
        {
            var spared = name.EndsWith(".bias", StringComparison.Ordinal) || name.Contains("norm", StringComparison.Ordinal);
            Assert.True(spared != decayed.Contains(parameter), $"{network}: '{name}' decayed {decayed.Contains(parameter)}");
        }
        var all = definition.ParameterGroups(module, decayAllParameters: true);
        Assert.Equal(module.parameters().Count(), all.Where(g => g.WeightDecay is null or > 0).Sum(g => g.Parameters.Count));
    }
}
