using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Model;

namespace MLNet.AdamW.Tests.Model;

/// <summary>
/// The probabilities a model outputs are never exactly 0 or 1 from finite scores, so ML.NET's
/// log-loss stays finite even for an overconfident model that gets some rows wrong.
/// </summary>
public sealed class ProbabilityTests
{
    private sealed class Row
    {
        public bool Label { get; set; }

        public uint Class { get; set; }

        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>
    /// Rows on both sides of a line with one in ten labels flipped: a linear model learns the line,
    /// and test features multiplied by <paramref name="scale"/> turn its scores into thousands, so the
    /// flipped rows are wrong with near-certainty.
    /// </summary>
    private static (IDataView Train, IDataView Test) Data(MLContext ml, float scale)
    {
        var random = new Random(3);
        List<Row> Rows(int count, float factor) => Enumerable.Range(0, count).Select(i =>
        {
            var x = (float)(random.NextDouble() * 2 - 1);
            var y = (float)(random.NextDouble() * 2 - 1);
            var side = x + y > 0;
            var flip = i % 10 == 0;
            var cls = (uint)(x < -1f / 3 ? 0 : x < 1f / 3 ? 1 : 2);
            return new Row { Label = side ^ flip, Class = flip ? (cls + 1) % 3 : cls, Features = [x * factor, y * factor] };
        }).ToList();
        return (ml.Data.LoadFromEnumerable(Rows(400, 1)), ml.Data.LoadFromEnumerable(Rows(200, scale)));
    }

    [Fact]
    public void Binary_log_loss_is_finite_for_an_overconfident_model()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Data(ml, scale: 1e4f);
        var model = ml.BinaryClassification.Trainers.AdamW(new AdamWBinaryTrainer.Options { Network = new MlpNetworkOptions { HiddenLayers = [] }, NumberOfEpochs = 30, Seed = 1 }).Fit(train);
        var scored = model.Transform(test);

        var scores = scored.GetColumn<float>("Score").ToArray();
        var probabilities = scored.GetColumn<float>("Probability").ToArray();
        Assert.True(scores.Max() > 200 && scores.Min() < -200, "the test needs scores far beyond float32's σ range");
        Assert.All(probabilities, p => Assert.InRange(p, Probabilities.Floor, Probabilities.Ceiling));
        Assert.Contains(Probabilities.Ceiling, probabilities);
        Assert.Contains(Probabilities.Floor, probabilities);

        var metrics = ml.BinaryClassification.Evaluate(scored);
        Assert.True(double.IsFinite(metrics.LogLoss), $"log-loss {metrics.LogLoss}");
        // A wrong row at the clamp costs 24 bits (−log₂ 2⁻²⁴); about a tenth of the rows are wrong.
        Assert.InRange(metrics.LogLoss, 0.5, 24 * 0.2);
    }

    [Fact]
    public void Multiclass_log_loss_is_finite_for_an_overconfident_model()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = Data(ml, scale: 1e4f);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Row.Class))
            .Append(ml.MulticlassClassification.Trainers.AdamW(new AdamWMulticlassTrainer.Options { Network = new MlpNetworkOptions { HiddenLayers = [] }, NumberOfEpochs = 30, Seed = 1 }));
        var scored = pipeline.Fit(train).Transform(test);

        var scores = scored.GetColumn<float[]>("Score").ToArray();
        Assert.All(scores.SelectMany(s => s), p => Assert.InRange(p, Probabilities.Floor, Probabilities.Ceiling));
        Assert.Contains(Probabilities.Floor, scores.SelectMany(s => s));

        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.True(double.IsFinite(metrics.LogLoss), $"log-loss {metrics.LogLoss}");
        Assert.True(metrics.LogLoss > 0.5, $"log-loss {metrics.LogLoss}: the flipped rows should cost");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(3f)]
    [InlineData(-3f)]
    [InlineData(40f)]
    [InlineData(-200f)]
    [InlineData(float.MaxValue)]
    [InlineData(float.MinValue)]
    public void The_binary_probability_is_the_clamped_sigmoid(float score)
    {
        var exact = 1 / (1 + Math.Exp(-(double)score));
        var expected = (float)Math.Min(Math.Max(exact, Math.Pow(2, -24)), 1 - Math.Pow(2, -24));
        Assert.Equal(expected, Probabilities.Binary(score), 6);
        Assert.InRange(Probabilities.Binary(score), Probabilities.Floor, Probabilities.Ceiling);
    }

    [Fact]
    public void The_softmax_is_stable_clamped_and_not_renormalised()
    {
        float[] values = [1000f, 0f, -1000f, 999f];
        Probabilities.Softmax(values);
        var e = Math.Exp(-1);
        Assert.Equal((float)(1 / (1 + e)), values[0], 6);
        Assert.Equal(Probabilities.Floor, values[1]);
        Assert.Equal(Probabilities.Floor, values[2]);
        Assert.Equal((float)(e / (1 + e)), values[3], 6);
        Assert.Equal(Probabilities.Ceiling, 1f - MathF.Pow(2, -24));

        float[] confident = [100f, 0f];
        Probabilities.Softmax(confident);
        Assert.Equal(Probabilities.Ceiling, confident[0]);
        Assert.Equal(Probabilities.Floor, confident[1]);
    }
}
