using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.AdamW.Tests.Model;

/// <summary>Rows wider than the stack buffer (1,024 features) score without allocating, dense or sparse.</summary>
public sealed class WideRowScoringTests
{
    private const int Width = 2_000;

    private sealed class Row
    {
        [VectorType(Width)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private static AdamWRegressionModelParameters Train()
    {
        var ml = new MLContext(seed: 1);
        var random = new Random(3);
        var rows = Enumerable.Range(0, 16).Select(_ =>
        {
            var features = Enumerable.Range(0, Width).Select(_ => random.NextDouble() < 0.01 ? (float)random.NextDouble() : 0f).ToArray();
            return new Row { Features = features, Label = features.Take(100).Sum() };
        }).ToList();
        var options = new AdamWRegressionTrainer.Options
        {
            Network = new MlpNetworkOptions { HiddenLayers = [4] }, NumberOfEpochs = 2, Seed = 1, NumberOfThreads = 1,
        };
        return ml.Regression.Trainers.AdamW(options).Fit(ml.Data.LoadFromEnumerable(rows)).Model;
    }

    [Fact]
    public void Dense_and_sparse_wide_rows_score_alike_and_allocate_nothing()
    {
        var model = Train();
        var dense = new float[Width];
        dense[5] = 0.5f;
        dense[1_500] = -2f;
        var denseRow = new VBuffer<float>(Width, dense);
        var sparseRow = new VBuffer<float>(Width, 2, [0.5f, -2f], [5, 1_500]);
        Span<float> fromDense = stackalloc float[1];
        Span<float> fromSparse = stackalloc float[1];
        model.Run(denseRow, fromDense);
        model.Run(sparseRow, fromSparse);
        Assert.Equal(fromDense[0], fromSparse[0]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            model.Run(denseRow, fromDense);
            model.Run(sparseRow, fromSparse);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(fromDense[0], fromSparse[0]);
    }
}
