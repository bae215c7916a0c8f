using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.AdamW.Tests.Model;

/// <summary>A model saved by an earlier version still loads and scores as it did (Assets/README.md says how it was made).</summary>
public sealed class FormatCompatibilityTests
{
    private sealed class Row
    {
        public uint Label { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = [];
    }

    [Theory]
    [InlineData("format1")]
    [InlineData("format2")]
    public void A_model_of_an_earlier_format_loads_and_gives_the_scores_it_was_saved_with(string format)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Model", "Assets");
        var expected = File.ReadAllLines(Path.Combine(folder, $"{format}-multiclass-scores.txt"))
            .Select(l => l.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var random = new Random(5);
        var rows = Enumerable.Range(0, 90).Select(i =>
        {
            var k = (uint)(i % 3);
            return new Row { Label = k, Features = [k + (float)random.NextDouble(), (float)random.NextDouble() - k, (float)random.NextDouble()] };
        }).ToList();

        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(Path.Combine(folder, $"{format}-multiclass.zip"), out _);
        var scores = model.Transform(ml.Data.LoadFromEnumerable(rows.Take(expected.Length))).GetColumn<float[]>("Score").ToArray();

        Assert.Equal(expected.Length, scores.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], scores[i]);

        // Saved again, it is written in the current format and still scores the same.
        var path = Path.Combine(Path.GetTempPath(), $"mlnet-adamw-format-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, null, path);
            var again = ml.Model.Load(path, out _).Transform(ml.Data.LoadFromEnumerable(rows.Take(expected.Length))).GetColumn<float[]>("Score").ToArray();
            Assert.Equal(scores, again);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class ImageRow
    {
        [VectorType(64)]
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void A_format_3_ResNet_with_batch_norm_loads_and_gives_the_scores_it_was_saved_with()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Model", "Assets");
        static float[][] Lines(string path) => File.ReadAllLines(path)
            .Select(l => l.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var rows = Lines(Path.Combine(folder, "format3-resnet-rows.txt")).Select(r => new ImageRow { Features = r }).ToList();
        var expected = Lines(Path.Combine(folder, "format3-resnet-multiclass-scores.txt"));

        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(Path.Combine(folder, "format3-resnet-multiclass.zip"), out _);
        var parameters = model.GetAdamWModel<AdamWMulticlassModelParameters>();
        Assert.Equal("ResNet-8 width 4 on 1×8×8, option-A shortcuts, batch norm, 2 outputs", parameters.NetworkDescription);
        var scores = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score").ToArray();
        // libtorch scores it: its kernels may round a last bit differently on another CPU, so within 1e-6.
        Assert.Equal(expected.Length, scores.Length);
        for (var i = 0; i < expected.Length; i++)
            for (var k = 0; k < expected[i].Length; k++)
                Assert.True(Math.Abs(expected[i][k] - scores[i][k]) <= 1e-6, $"row {i}, class {k}: {scores[i][k]}, saved with {expected[i][k]}");
    }
}
