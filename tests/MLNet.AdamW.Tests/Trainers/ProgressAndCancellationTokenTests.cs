using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// The options' <see cref="AdamWTrainerOptions.Progress"/> reports (in order, throttled, one per
/// epoch end, the last at the last epoch) and <see cref="AdamWTrainerOptions.CancellationToken"/>
/// (stops training and leaves the MLContext usable, unlike CancelExecution).
/// </summary>
public sealed class ProgressAndCancellationTokenTests
{
    private sealed class Row
    {
        public float Label { get; set; }

        [VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>Calls back on the training thread, in order (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class Recorder(Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];

        public void Report(TrainingProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    [Fact]
    public void Progress_is_reported_in_order_once_per_epoch_end_and_last_at_the_last_epoch()
    {
        var ml = new MLContext(seed: 1);
        var recorder = new Recorder();
        var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 6);
        options.ValidationFraction = 0.2;
        options.BatchSize = 32;
        options.Progress = recorder;
        var data = TrainerData.PenguinSpecies(ml);
        var history = ml.MulticlassClassification.Trainers.AdamW(options).Fit(data).Model.History;

        var reports = recorder.Reports;
        var ends = reports.Where(r => r.IsEpochEnd).ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], ends.Select(r => r.Epoch));
        // A fifth of the 344 penguins is held out; the rest go in minibatches of 32.
        var minibatches = reports[0].MinibatchesPerEpoch;
        Assert.InRange(minibatches, 344 * 3 / 4 / 32, 344 / 32 + 1);
        Assert.All(reports, r => Assert.Equal(6, r.NumberOfEpochs));
        Assert.All(reports, r => Assert.Equal(minibatches, r.MinibatchesPerEpoch));
        for (var i = 0; i < 6; i++)
            Assert.Equal(history.Epochs[i].TrainLoss, ends[i].Loss);
        for (var i = 1; i < reports.Count; i++)
        {
            Assert.True((reports[i].Epoch, reports[i].Minibatch).CompareTo((reports[i - 1].Epoch, reports[i - 1].Minibatch)) > 0, "reports out of order");
            Assert.True(reports[i].Elapsed >= reports[i - 1].Elapsed);
            Assert.True(reports[i].Fraction > reports[i - 1].Fraction);
        }
        var last = reports[^1];
        Assert.True(last.IsEpochEnd);
        Assert.Equal(6, last.Epoch);
        Assert.Equal(1.0, last.Fraction);
        Assert.Equal(TimeSpan.Zero, last.EstimatedRemaining);
        Assert.Contains($"epoch 6/6, minibatch {minibatches}/{minibatches}, loss ", last.ToString(), StringComparison.Ordinal);
        // Throttled: a report within an epoch needs a full interval since the one before.
        var withinEpochs = reports.Count(r => !r.IsEpochEnd);
        Assert.True(withinEpochs <= last.Elapsed / TrainingProgress.ReportInterval, $"{withinEpochs} reports within epochs in {last.Elapsed}");
    }

    [Fact]
    public void A_long_epoch_reports_before_it_ends_and_the_token_cancels_it_before_the_next_minibatch()
    {
        // One epoch of 40,000 single-row minibatches takes seconds: the first report within it comes
        // after a second, and its handler cancels.
        var ml = new MLContext(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var minibatchesSeen = new List<int>();
        var recorder = new Recorder(r =>
        {
            minibatchesSeen.Add(r.Minibatch);
            cancellation.Cancel();
        });
        var options = new AdamWRegressionTrainer.Options
        {
            Network = new MlpNetworkOptions { HiddenLayers = [4] }, NumberOfEpochs = 1, BatchSize = 1, Seed = 1, NumberOfThreads = 1, LearningRate = 1e-3,
            Progress = recorder, CancellationToken = cancellation.Token,
        };
        var data = ml.Data.LoadFromEnumerable(Rows(40_000));
        var e = Assert.ThrowsAny<OperationCanceledException>(() => ml.Regression.Trainers.AdamW(options).Fit(data));
        Assert.Equal(cancellation.Token, e.CancellationToken);

        var report = Assert.Single(recorder.Reports);
        Assert.False(report.IsEpochEnd);
        Assert.InRange(report.Minibatch, 1, 39_999);
        Assert.True(report.Elapsed >= TrainingProgress.ReportInterval);
        Assert.True(report.EstimatedRemaining > TimeSpan.Zero);
        Assert.True(double.IsFinite(report.Loss));

        // The context is not poisoned: it trains again (CancelExecution would refuse).
        var again = ml.Regression.Trainers.AdamW(TrainerData.Quick<AdamWRegressionTrainer.Options>(epochs: 2)).Fit(ml.Data.LoadFromEnumerable(Rows(200)));
        Assert.Equal(2, again.Model.History.Epochs.Count);
    }

    [Fact]
    public void A_token_cancelled_before_Fit_throws_before_any_minibatch()
    {
        var ml = new MLContext(seed: 1);
        var epochLines = 0;
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Info && e.Message.Contains("Epoch ", StringComparison.Ordinal))
                Interlocked.Increment(ref epochLines);
        };
        var recorder = new Recorder();
        var options = TrainerData.Quick<AdamWBinaryTrainer.Options>(epochs: 5);
        options.Progress = recorder;
        options.CancellationToken = new CancellationToken(canceled: true);
        var data = TrainerData.PenguinSex(ml);
        var e = Assert.ThrowsAny<OperationCanceledException>(() => ml.BinaryClassification.Trainers.AdamW(options).Fit(data));
        Assert.Equal(options.CancellationToken, e.CancellationToken);
        Assert.Empty(recorder.Reports);
        Assert.Equal(0, epochLines);
    }

    [Fact]
    public void An_exception_in_the_progress_handler_ends_training_with_it()
    {
        var ml = new MLContext(seed: 1);
        var options = TrainerData.Quick<AdamWRegressionTrainer.Options>(epochs: 5);
        options.Progress = new Recorder(r =>
        {
            if (r.Epoch == 2)
                throw new TimeoutException("stop at epoch 2");
        });
        var e = Assert.Throws<TimeoutException>(() => ml.Regression.Trainers.AdamW(options).Fit(TrainerData.CarMileage(ml)));
        Assert.Equal("stop at epoch 2", e.Message);
    }

    [Fact]
    public void Cancelled_after_a_checkpointed_epoch_a_resumed_run_reports_from_the_next_epoch()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"mlnet-adamw-progress-{Guid.NewGuid():N}");
        try
        {
            var ml = new MLContext(seed: 1);
            var data = TrainerData.PenguinSpecies(ml);
            AdamWMulticlassTrainer.Options Options(IProgress<TrainingProgress> progress, CancellationToken token, bool resume)
            {
                var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 6);
                options.CheckpointDirectory = directory;
                options.CheckpointInterval = 2;
                options.ResumeFromCheckpoint = resume;
                options.Progress = progress;
                options.CancellationToken = token;
                return options;
            }

            // The epoch-end report comes after the epoch's checkpoint: cancelling there loses nothing.
            using var cancellation = new CancellationTokenSource();
            var first = new Recorder(r =>
            {
                if (r.IsEpochEnd && r.Epoch == 4)
                    cancellation.Cancel();
            });
            Assert.ThrowsAny<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.AdamW(Options(first, cancellation.Token, resume: false)).Fit(data));
            Assert.Equal(4, first.Reports[^1].Epoch);
            Assert.Equal(4, TrainingCheckpoint.Load(directory)!.EpochsCompleted);

            var resumed = new Recorder();
            var model = ml.MulticlassClassification.Trainers.AdamW(Options(resumed, CancellationToken.None, resume: true)).Fit(data).Model;
            Assert.Equal(6, model.History.Epochs.Count);
            Assert.Equal([5, 6], resumed.Reports.Where(r => r.IsEpochEnd).Select(r => r.Epoch));
            Assert.All(resumed.Reports, r => Assert.True(r.Epoch >= 5));
            Assert.True(resumed.Reports[0].Fraction > 4.0 / 6);
            Assert.Equal(model.History.Epochs[^1].TrainLoss, resumed.Reports[^1].Loss);
        }
        finally
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>y = Σx over random rows.</summary>
    private static IEnumerable<Row> Rows(int count)
    {
        var random = new Random(1);
        for (var i = 0; i < count; i++)
        {
            var x = new[] { random.NextSingle(), random.NextSingle(), random.NextSingle(), random.NextSingle() };
            yield return new Row { Features = x, Label = x.Sum() };
        }
    }
}
