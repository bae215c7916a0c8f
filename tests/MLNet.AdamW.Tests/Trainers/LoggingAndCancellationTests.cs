using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>Progress through ML.NET's log (mlContext.Log), and cancellation through the MLContext.</summary>
public sealed class LoggingAndCancellationTests
{
    private sealed class Row
    {
        public float Label { get; set; }

        [VectorType(4)]
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void Each_epoch_logs_one_line_through_the_MLContext_log()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<LoggingEventArgs>();
        ml.Log += (_, e) =>
        {
            lock (messages)
                messages.Add(e);
        };
        var data = TrainerData.PenguinSpecies(ml);
        var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 5);
        options.ValidationFraction = 0.2;
        ml.MulticlassClassification.Trainers.AdamW(options).Fit(data);

        var epochLines = messages.Where(m => m.Message.Contains("epoch", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal(5, epochLines.Count);
        for (var i = 0; i < 5; i++)
        {
            var line = epochLines[i];
            Assert.Equal(ChannelMessageKind.Info, line.Kind);
            Assert.Contains(AdamWMulticlassTrainer.LoadName, line.Source, StringComparison.Ordinal);
            Assert.Contains($"Epoch {i + 1}/5: train loss ", line.Message, StringComparison.Ordinal);
            Assert.Contains("validation loss", line.Message, StringComparison.Ordinal);
            Assert.Contains("learning rate", line.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CancelExecution_from_the_log_after_the_first_epoch_stops_training_before_the_next_batch()
    {
        var ml = new MLContext(seed: 1);
        var epochLines = 0;
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Info && e.Message.Contains("Epoch ", StringComparison.Ordinal) && ++epochLines == 1)
                ml.CancelExecution(); // MLContext's own method is internal; this is MLNet.AdamW's extension
        };
        var data = TrainerData.PenguinSex(ml);
        var trainer = ml.BinaryClassification.Trainers.AdamW(TrainerData.Quick<AdamWBinaryTrainer.Options>(epochs: 50));
        var e = Assert.ThrowsAny<Exception>(() => trainer.Fit(data));
        Assert.IsType<OperationCanceledException>(e);
        Assert.Contains("canceled", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, epochLines);
    }

    [Fact]
    public void CancelExecution_in_the_middle_of_an_epoch_stops_it_within_a_batch()
    {
        // One epoch of 40,000 single-row minibatches takes seconds: only a check before each
        // minibatch can stop it (there is no next epoch to stop before).
        const int rows = 40_000;
        var read = new ManualResetEventSlim();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(rows, read));
        var options = new AdamWRegressionTrainer.Options
        {
            Network = new MlpNetworkOptions { HiddenLayers = [4] }, NumberOfEpochs = 1, BatchSize = 1, Seed = 1, NumberOfThreads = 1, LearningRate = 1e-3,
        };
        var trainer = ml.Regression.Trainers.AdamW(options);
        var canceledAt = 0L;
        var canceller = new Thread(() =>
        {
            read.Wait();
            Thread.Sleep(100);
            Interlocked.Exchange(ref canceledAt, System.Diagnostics.Stopwatch.GetTimestamp());
            ml.CancelExecution(); // MLContext's own method is internal; this is MLNet.AdamW's extension
        });
        canceller.Start();
        var e = Assert.ThrowsAny<Exception>(() => trainer.Fit(data));
        var stoppedAfter = System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref canceledAt));
        canceller.Join();
        Assert.IsType<OperationCanceledException>(e);
        Assert.True(stoppedAfter < TimeSpan.FromSeconds(1), $"stopped {stoppedAfter.TotalMilliseconds:F0} ms after the cancellation");
    }

    /// <summary>y = Σx over random rows; signals when the last row has been read.</summary>
    [Fact]
    public void CancelExecution_reaches_MLContexts_own_method_which_it_binds_by_name()
    {
        // The extension calls ML.NET's internal instance method through an UnsafeAccessor bound by
        // name; this is the method it needs. If ML.NET renamed it, this fails here, and the
        // extension throws MissingMethodException instead of calling itself.
        var method = typeof(MLContext).GetMethod(nameof(MLContextExtensions.CancelExecution),
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, []);
        Assert.NotNull(method);
        Assert.Equal(typeof(void), method.ReturnType);

        var ml = new MLContext(seed: 1);
        MLContextExtensions.CancelExecution(ml);
        var data = ml.Data.LoadFromEnumerable(Rows(64, new ManualResetEventSlim()));
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ml.Regression.Trainers.AdamW(TrainerData.Quick<AdamWRegressionTrainer.Options>(epochs: 1)).Fit(data));
    }

    private static IEnumerable<Row> Rows(int count, ManualResetEventSlim done)
    {
        var random = new Random(1);
        for (var i = 0; i < count; i++)
        {
            var x = new[] { random.NextSingle(), random.NextSingle(), random.NextSingle(), random.NextSingle() };
            yield return new Row { Features = x, Label = x.Sum() };
        }
        done.Set();
    }
}
