using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>Scoring from many threads at once gives what scoring on one thread gives.</summary>
public sealed class ThreadSafetyTests
{
    private const int Threads = 8;

    private sealed class Input
    {
        [VectorType(TrainerData.PenguinFeatureCount)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Output
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    /// <summary>A multiclass model (vector output, the mapper with the most per-call state) and 20× the penguins, cached.</summary>
    private static (MLContext Ml, ITransformer Model, IDataView Data, float[][] Rows) Setup()
    {
        var ml = new MLContext(seed: 1);
        var species = TrainerData.PenguinSpecies(ml);
        var model = ml.MulticlassClassification.Trainers.AdamW(TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 5)).Fit(species);
        var rows = Enumerable.Repeat(TrainerData.FeatureRows(species), 20).SelectMany(r => r).ToArray();
        var data = ml.Data.Cache(ml.Data.LoadFromEnumerable(rows.Select(r => new Input { Features = r })));
        return (ml, model, data, rows);
    }

    [Fact]
    public void Cursors_over_one_scored_view_on_many_threads_agree_with_one_thread()
    {
        var (_, model, data, _) = Setup();
        var scored = model.Transform(data);
        var expected = TrainerData.Values(scored, "Score");

        var results = new List<string>[Threads];
        OnThreads(Threads, i => results[i] = TrainerData.Values(scored, "Score"));
        Assert.All(results, r => Assert.Equal(expected, r));

        // Transform from several threads at once, each reading its own view.
        var transformed = new List<string>[Threads];
        OnThreads(Threads, i => transformed[i] = TrainerData.Values(model.Transform(data), "Score"));
        Assert.All(transformed, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void A_parallel_cursor_set_scores_every_row_as_one_cursor_does()
    {
        var (_, model, data, _) = Setup();
        var scored = model.Transform(data);
        var expected = TrainerData.Values(scored, "Score");
        var score = scored.Schema["Score"];
        var cursors = scored.GetRowCursorSet([score], Threads);
        Assert.True(cursors.Length > 1, "the cached view should give a cursor set of more than one cursor");
        var parts = new List<(long Row, string Value)>[cursors.Length];
        OnThreads(cursors.Length, i =>
        {
            using var cursor = cursors[i];
            var getter = cursor.GetGetter<VBuffer<float>>(score);
            var id = cursor.GetIdGetter();
            VBuffer<float> value = default;
            DataViewRowId rowId = default;
            var part = new List<(long, string)>();
            while (cursor.MoveNext())
            {
                getter(ref value);
                id(ref rowId);
                part.Add(((long)rowId.Low, string.Join(' ', value.DenseValues().Select(v => BitConverter.SingleToInt32Bits(v).ToString("X8", System.Globalization.CultureInfo.InvariantCulture)))));
            }
            parts[i] = part;
        });
        var all = parts.SelectMany(p => p).OrderBy(p => p.Row).ToList();
        Assert.Equal(expected.Count, all.Count);
        Assert.Equal(expected, all.Select(p => p.Value));
    }

    [Fact]
    public void Prediction_engines_on_many_threads_agree_with_Transform()
    {
        var (ml, model, data, rows) = Setup();
        var expected = TrainerData.Scores(model.Transform(data));
        var predicted = new float[Threads][][];
        OnThreads(Threads, t =>
        {
            using var engine = ml.Model.CreatePredictionEngine<Input, Output>(model);
            var output = new Output();
            var mine = new float[rows.Length][];
            // Each thread walks the rows from a different start, so threads score different rows at the same time.
            for (var k = 0; k < rows.Length; k++)
            {
                var i = (k + t * rows.Length / Threads) % rows.Length;
                engine.Predict(new Input { Features = rows[i] }, ref output);
                mine[i] = [.. output.Score];
            }
            predicted[t] = mine;
        });
        Assert.All(predicted, p => Assert.Equal(expected, p));
    }

    private sealed class ImageInput
    {
        [VectorType(ImageData.FeatureCount)]
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void A_ResNet_scored_by_libtorch_on_many_threads_agrees_with_one_thread()
    {
        var ml = new MLContext(seed: 1);
        var train = ImageData.Multiclass(ml);
        var model = ml.MulticlassClassification.Trainers.AdamW(ImageData.Quick<AdamWMulticlassTrainer.Options>("resnet-bn")).Fit(train);
        var rows = TrainerData.FeatureRows(train);
        var data = ml.Data.Cache(ml.Data.LoadFromEnumerable(rows.Select(r => new ImageInput { Features = r })));
        var scored = model.Transform(data);
        var expected = TrainerData.Values(scored, "Score");

        var cursors = new List<string>[Threads];
        OnThreads(Threads, i => cursors[i] = TrainerData.Values(scored, "Score"));
        Assert.All(cursors, r => Assert.Equal(expected, r));

        var engines = new List<string>[Threads];
        OnThreads(Threads, t =>
        {
            using var engine = ml.Model.CreatePredictionEngine<ImageInput, Output>(model);
            var output = new Output();
            var mine = new string[rows.Length];
            for (var k = 0; k < rows.Length; k++)
            {
                var i = (k + t * rows.Length / Threads) % rows.Length;
                engine.Predict(new ImageInput { Features = rows[i] }, ref output);
                mine[i] = string.Join(' ', output.Score.Select(v => BitConverter.SingleToInt32Bits(v).ToString("X8", System.Globalization.CultureInfo.InvariantCulture)));
            }
            engines[t] = [.. mine];
        });
        Assert.All(engines, r => Assert.Equal(expected, r));
    }

    /// <summary>Runs the action on n dedicated threads that start together; rethrows the first failure.</summary>
    private static void OnThreads(int n, Action<int> action)
    {
        using var start = new Barrier(n);
        var errors = new Exception?[n];
        var threads = Enumerable.Range(0, n).Select(i => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                action(i);
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (errors.FirstOrDefault(e => e is not null) is { } error)
            throw new AggregateException(error);
    }
}
