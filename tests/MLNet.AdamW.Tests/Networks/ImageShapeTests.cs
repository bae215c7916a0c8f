using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.AdamW.Tests.Networks;

public sealed class ImageShapeTests
{
    private sealed class Row
    {
        [VectorType(4)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    /// <summary>16 rows of 4 features; the label is whether the first feature is positive.</summary>
    private static IDataView Data(MLContext ml, bool shaped)
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, 16).Select(i =>
        {
            var features = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            return new Row { Features = features, Label = features[0] > 0 };
        }).ToList();
        if (!shaped)
            return ml.Data.LoadFromEnumerable(rows);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, 2, 2);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private static AdamWBinaryTrainer.Options Options(ImageShape? shape) => new()
    {
        ImageShape = shape, Network = new MlpNetworkOptions { HiddenLayers = [3] }, NumberOfEpochs = 1, Seed = 1, NumberOfThreads = 1,
    };

    [Theory]
    [InlineData(0, 2, 2, "channels")]
    [InlineData(1, 0, 2, "height")]
    [InlineData(1, 2, -1, "width")]
    public void A_size_below_one_is_refused_naming_it(int channels, int height, int width, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ImageShape(channels, height, width));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void Size_text_and_equality_follow_the_three_sizes()
    {
        var shape = new ImageShape(3, 32, 32);
        Assert.Equal(3072, shape.Size);
        Assert.Equal("3×32×32", shape.ToString());
        Assert.Equal(new ImageShape(3, 32, 32), shape);
        Assert.NotEqual(new ImageShape(3, 32, 31), shape);
        Assert.Equal(new ImageShape(3, 32, 32).GetHashCode(), shape.GetHashCode());
    }

    [Fact]
    public void A_shape_whose_size_is_not_the_vectors_fails_at_Fit_naming_the_option_and_both_sizes()
    {
        var ml = new MLContext(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.AdamW(Options(new ImageShape(1, 3, 3))).Fit(Data(ml, shaped: false)));
        Assert.Contains("ImageShape 1×3×3 has 9 values", e.Message, StringComparison.Ordinal);
        Assert.Contains("'Features' has 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shape_that_contradicts_the_columns_three_dimensions_fails_at_Fit()
    {
        var ml = new MLContext(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.AdamW(Options(new ImageShape(4, 1, 1))).Fit(Data(ml, shaped: true)));
        Assert.Contains("ImageShape is 4×1×1", e.Message, StringComparison.Ordinal);
        Assert.Contains("already shaped 1×2×2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_columns_three_dimensions_are_the_shape()
    {
        var ml = new MLContext(seed: 1);
        var column = Data(ml, shaped: true).Schema["Features"];
        Assert.Equal(new ImageShape(1, 2, 2), ImageShape.Resolve(null, column, 4));
        Assert.Equal(new ImageShape(1, 2, 2), ImageShape.Resolve(new ImageShape(1, 2, 2), column, 4));
        Assert.Null(ImageShape.Resolve(null, Data(ml, shaped: false).Schema["Features"], 4));
    }

    [Fact]
    public void An_agreeing_shape_trains_the_same_model_as_none()
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml, shaped: true);
        var withShape = ml.BinaryClassification.Trainers.AdamW(Options(new ImageShape(1, 2, 2))).Fit(data);
        var without = ml.BinaryClassification.Trainers.AdamW(Options(null)).Fit(data);
        Assert.Equal(
            withShape.Transform(data).GetColumn<float>("Score").ToArray(),
            without.Transform(data).GetColumn<float>("Score").ToArray());
    }
}
