using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// Long training loses nothing: checkpoints through the trainer options, a resume after a crash that
/// ends where an uninterrupted run ends, and warm starts from a trained model.
/// </summary>
public sealed class CheckpointAndWarmStartTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mlnet-adamw-checkpoints-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    private static AdamWMulticlassTrainer.Options Options(string? directory, bool resume = false)
    {
        var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 6, seed: 3);
        ((MlpNetworkOptions)options.Network).Dropout = 0.1;
        options.CheckpointDirectory = directory;
        options.CheckpointInterval = 2;
        options.ResumeFromCheckpoint = resume;
        return options;
    }

    [Fact]
    public void A_run_resumed_after_a_crash_ends_exactly_where_an_uninterrupted_run_ends()
    {
        // Uninterrupted, with checkpoints elsewhere.
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var uninterrupted = ml.MulticlassClassification.Trainers.AdamW(Options(Path.Combine(_directory, "uninterrupted"))).Fit(data);
        var expected = TrainerData.Values(uninterrupted.Transform(data), "Score");
        Assert.Equal(6, TrainingCheckpoint.Load(Path.Combine(_directory, "uninterrupted"))!.EpochsCompleted);

        // A crash during epoch 6: the last checkpoint (interval 2) is from epoch 4, so epoch 5 is lost too.
        var crashing = new MLContext(seed: 1);
        crashing.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Info && e.Message.Contains("Epoch 5/6", StringComparison.Ordinal))
                Cancel(crashing);
        };
        var crashData = TrainerData.PenguinSpecies(crashing);
        Assert.ThrowsAny<OperationCanceledException>(() => crashing.MulticlassClassification.Trainers.AdamW(Options(_directory)).Fit(crashData));
        var checkpoint = TrainingCheckpoint.Load(_directory)!;
        Assert.Equal(4, checkpoint.EpochsCompleted);

        // Resume in a new context: epochs 5 and 6 again, same result bit for bit.
        var resuming = new MLContext(seed: 1);
        var log = new List<string>();
        resuming.Log += (_, e) => log.Add(e.Message);
        var resumeData = TrainerData.PenguinSpecies(resuming);
        var resumed = resuming.MulticlassClassification.Trainers.AdamW(Options(_directory, resume: true)).Fit(resumeData);
        Assert.Contains(log, m => m.Contains("Resuming from the checkpoint after epoch 4", StringComparison.Ordinal));
        Assert.Equal(2, log.Count(m => m.Contains("Epoch ", StringComparison.Ordinal) && m.Contains("/6: train loss", StringComparison.Ordinal)));
        Assert.Equal(expected, TrainerData.Values(resumed.Transform(resumeData), "Score"));
        Assert.Equal(
            uninterrupted.Model.History.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.LearningRate)),
            resumed.Model.History.Epochs.Select(e => (e.Epoch, e.TrainLoss, e.LearningRate)));
    }

    [Fact]
    public void A_run_without_a_seed_resumes_with_the_seed_its_checkpoint_was_written_with()
    {
        AdamWMulticlassTrainer.Options Unseeded(string directory, bool resume = false)
        {
            var options = Options(directory, resume);
            options.Seed = null;
            return options;
        }

        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var uninterrupted = ml.MulticlassClassification.Trainers.AdamW(Unseeded(Path.Combine(_directory, "uninterrupted"))).Fit(data);
        var expected = TrainerData.Values(uninterrupted.Transform(data), "Score");

        var crashing = new MLContext(seed: 1);
        crashing.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Info && e.Message.Contains("Epoch 5/6", StringComparison.Ordinal))
                Cancel(crashing);
        };
        var crashData = TrainerData.PenguinSpecies(crashing);
        Assert.ThrowsAny<OperationCanceledException>(() => crashing.MulticlassClassification.Trainers.AdamW(Unseeded(_directory)).Fit(crashData));
        Assert.Equal(4, TrainingCheckpoint.Load(_directory)!.EpochsCompleted);

        // Another context seed: a seed drawn from it would not be the crashed run's.
        var resuming = new MLContext(seed: 99);
        var resumeData = TrainerData.PenguinSpecies(resuming);
        var resumed = resuming.MulticlassClassification.Trainers.AdamW(Unseeded(_directory, resume: true)).Fit(resumeData);
        Assert.Equal(expected, TrainerData.Values(resumed.Transform(resumeData), "Score"));
        Assert.Equal(
            uninterrupted.Model.History.Epochs.Select(e => e.TrainLoss),
            resumed.Model.History.Epochs.Select(e => e.TrainLoss));
    }

    [Fact]
    public void Resuming_with_another_setup_is_refused_and_names_the_differences()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        ml.MulticlassClassification.Trainers.AdamW(Options(_directory)).Fit(data);
        var changed = Options(_directory, resume: true);
        changed.LearningRate = 0.02;
        var e = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.AdamW(changed).Fit(data));
        Assert.Contains("different training setup", e.Message, StringComparison.Ordinal);
        Assert.Contains("lr=0.01", e.Message, StringComparison.Ordinal);
        Assert.Contains("lr=0.02", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_warm_start_continues_from_the_given_model()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 3);
        var trainer = ml.MulticlassClassification.Trainers.AdamW(options);
        var first = trainer.Fit(data);
        var fresh = first.Model.History.Epochs;

        var continued = trainer.Fit(data, first.Model);
        var warm = continued.Model.History.Epochs;
        Assert.Equal(3, warm.Count);
        // The same three epochs from a fresh start begin where the first run began; the warm start
        // begins near where it ended, and ends lower.
        Assert.True(warm[0].TrainLoss < fresh[0].TrainLoss, $"warm {warm[0].TrainLoss} vs fresh {fresh[0].TrainLoss}");
        Assert.True(warm[^1].TrainLoss < fresh[^1].TrainLoss, $"warm {warm[^1].TrainLoss} vs fresh {fresh[^1].TrainLoss}");
        var metrics = (Fresh: ml.MulticlassClassification.Evaluate(first.Transform(data)), Warm: ml.MulticlassClassification.Evaluate(continued.Transform(data)));
        Assert.True(metrics.Warm.LogLoss < metrics.Fresh.LogLoss, $"warm log-loss {metrics.Warm.LogLoss} vs fresh {metrics.Fresh.LogLoss}");

        // Warm start from a loaded model works too.
        var path = TrainerData.TempPath();
        try
        {
            ml.Model.Save(first, data.Schema, path);
            var loaded = (Microsoft.ML.Data.MulticlassPredictionTransformer<AdamWMulticlassModelParameters>)new MLContext().Model.Load(path, out _);
            Assert.Equal(TrainerData.Values(continued.Transform(data), "Score"), TrainerData.Values(trainer.Fit(data, loaded.Model).Transform(data), "Score"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_regression_warm_start_continues_in_label_units()
    {
        // The first model's output layer predicts miles per gallon (the label scaling folded in); the
        // warm start unfolds it with its own scaling, so training resumes where it ended.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.FilterRowsByMissingValues(TrainerData.CarMileage(ml), "Label");
        var trainer = ml.Regression.Trainers.AdamW(TrainerData.Quick<AdamWRegressionTrainer.Options>(epochs: 20));
        var first = trainer.Fit(data);
        var firstRmse = ml.Regression.Evaluate(first.Transform(data)).RootMeanSquaredError;

        var continued = trainer.Fit(data, first.Model);
        var warm = continued.Model.History.Epochs;
        Assert.True(warm[0].TrainLoss < 1.5 * first.Model.History.Epochs[^1].TrainLoss,
            $"warm start's first epoch {warm[0].TrainLoss} vs the first run's last {first.Model.History.Epochs[^1].TrainLoss}");
        Assert.True(warm[0].TrainLoss < 0.5 * first.Model.History.Epochs[0].TrainLoss,
            $"warm start's first epoch {warm[0].TrainLoss} vs a fresh first epoch {first.Model.History.Epochs[0].TrainLoss}");
        var continuedRmse = ml.Regression.Evaluate(continued.Transform(data)).RootMeanSquaredError;
        Assert.True(continuedRmse < firstRmse, $"continued RMSE {continuedRmse} vs {firstRmse}");
    }

    [Fact]
    public void A_warm_start_from_a_model_of_another_layout_is_refused_naming_both_layouts()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSpecies(ml);
        var first = ml.MulticlassClassification.Trainers.AdamW(TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 1)).Fit(data);
        var other = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 1);
        other.Network = new MlpNetworkOptions { HiddenLayers = [8, 8] };
        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.AdamW(other).Fit(data, first.Model));
        Assert.Contains("layout", e.Message, StringComparison.Ordinal);
        Assert.Contains("MLP 7-16-3", e.Message, StringComparison.Ordinal);
        Assert.Contains("MLP 7-8-8-3", e.Message, StringComparison.Ordinal);
    }

    private static void Cancel(MLContext ml) =>
        typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.Invoke(ml, null);
}
