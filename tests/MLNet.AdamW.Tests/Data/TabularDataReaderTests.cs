using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Data;

namespace MLNet.AdamW.Tests.Data;

/// <summary>Reading real ML.NET data views: column checks with actionable messages, skipped rows, sparse vectors, keys, weights.</summary>
public sealed class TabularDataReaderTests
{
    private readonly MLContext _ml = new(seed: 1);

    private sealed class BinaryRow
    {
        [VectorType(3)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }

        public float Weight { get; set; } = 1;
    }

    private sealed class RegressionRow
    {
        [VectorType(2)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }

        public float Weight { get; set; } = 1;
    }

    private sealed class WrongTypesRow
    {
        [VectorType(2)]
        public double[] DoubleFeatures { get; set; } = [];

        public float[] VariableFeatures { get; set; } = [];

        public string Text { get; set; } = "";

        public double DoubleValue { get; set; }

        public float Single { get; set; }

        public bool Flag { get; set; }
    }

    private sealed class SparseRow
    {
        [VectorType(5)]
        public VBuffer<float> Features { get; set; }

        public float Label { get; set; }
    }

    private sealed class KeyRow
    {
        public float Feature { get; set; }

        [KeyType(3)]
        public uint Label { get; set; }
    }

    private sealed class StringLabelRow
    {
        [VectorType(2)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    private IDataView Binary(params BinaryRow[] rows) => _ml.Data.LoadFromEnumerable(rows);

    private static BinaryRow B(bool label, float weight = 1, params float[] features) =>
        new() { Features = features.Length == 0 ? [1, 2, 3] : features, Label = label, Weight = weight };

    private IDataView WrongTypes() => _ml.Data.LoadFromEnumerable(new[]
    {
        new WrongTypesRow { DoubleFeatures = [1, 2], VariableFeatures = [1, 2], Text = "a", DoubleValue = 1, Single = 1, Flag = true },
    });

    [Fact]
    public void Reads_features_labels_and_weights_of_a_binary_view()
    {
        var data = TabularDataReader.Read(Binary(B(true, 2, 1, 2, 3), B(false, 0.5f, 4, 5, 6)), "Features", "Label", "Weight", LabelKind.Binary);

        Assert.Equal(2, data.RowCount);
        Assert.Equal(3, data.FeatureCount);
        Assert.Equal(2, data.ClassCount);
        Assert.Equal(1, data.OutputSize);
        Assert.Equal([1f, 2, 3, 4, 5, 6], data.Features);
        Assert.Equal([1f, 0], data.Labels);
        Assert.Equal([2f, 0.5f], data.Weights!);
        Assert.Equal(2.5, data.TotalWeight);
        Assert.Equal(0, data.Skipped.Total);
    }

    [Theory]
    [InlineData("Missing", "Label", null, "feature column 'Missing': column not found")]
    [InlineData("Features", "Missing", null, "label column 'Missing': column not found")]
    [InlineData("Features", "Label", "Missing", "weight column 'Missing': column not found")]
    public void A_missing_column_is_named(string features, string label, string? weight, string expected)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TabularDataReader.Read(Binary(B(true), B(false)), features, label, weight, LabelKind.Binary));
        Assert.Contains("Schema mismatch for " + expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("'Features'", e.Message, StringComparison.Ordinal); // lists the columns there are
    }

    [Theory]
    [InlineData("DoubleFeatures", "Double", "known-size vector of Single")]
    [InlineData("VariableFeatures", "Vector<Single>", "fixed length")]
    [InlineData("Text", "String", "Concatenate")]
    public void Features_must_be_a_known_size_vector_of_Single(string column, string found, string advice)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TabularDataReader.Read(WrongTypes(), column, "Single", null, LabelKind.Regression));
        Assert.Contains($"Schema mismatch for feature column '{column}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(found, e.Message, StringComparison.Ordinal);
        Assert.Contains(advice, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scalar_Single_is_one_feature()
    {
        var data = TabularDataReader.Read(WrongTypes(), "Single", "Flag", null, LabelKind.Binary, isValidation: true);
        Assert.Equal(1, data.FeatureCount);
        Assert.Equal([1f], data.Features);
    }

    [Theory]
    [InlineData(nameof(LabelKind.Binary), "Single", "expected Boolean, got Single", "MapValue")]
    [InlineData(nameof(LabelKind.Binary), "Text", "expected Boolean, got String", "CustomMapping")]
    [InlineData(nameof(LabelKind.Multiclass), "Single", "expected a key type, got Single", "MapValueToKey(\"Single\")")]
    [InlineData(nameof(LabelKind.Multiclass), "Text", "expected a key type, got String", "MapValueToKey(\"Text\")")]
    [InlineData(nameof(LabelKind.Regression), "DoubleValue", "expected Single, got Double", "Conversion.ConvertType(\"DoubleValue\"")]
    [InlineData(nameof(LabelKind.Regression), "Flag", "expected Single, got Boolean", "ConvertType")]
    public void A_label_of_the_wrong_type_is_named_with_the_fix(string kindName, string label, string mismatch, string advice)
    {
        var kind = Enum.Parse<LabelKind>(kindName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TabularDataReader.Read(WrongTypes(), "Single", label, null, kind));
        Assert.Contains($"Schema mismatch for label column '{label}': {mismatch}", e.Message, StringComparison.Ordinal);
        Assert.Contains(advice, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_weight_column_must_be_Single()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TabularDataReader.Read(WrongTypes(), "Single", "Flag", "DoubleValue", LabelKind.Binary));
        Assert.Contains("Schema mismatch for weight column 'DoubleValue': expected Single, got Double", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_with_a_missing_label_non_finite_feature_or_bad_weight_are_skipped_and_counted()
    {
        var rows = new[]
        {
            new RegressionRow { Features = [1, 2], Label = 10 },
            new RegressionRow { Features = [1, 2], Label = float.NaN },                 // missing label
            new RegressionRow { Features = [float.NaN, 2], Label = float.NaN },         // counted as missing label: first reason
            new RegressionRow { Features = [3, float.PositiveInfinity], Label = 1 },    // non-finite feature
            new RegressionRow { Features = [float.NaN, 0], Label = 1 },                 // non-finite feature
            new RegressionRow { Features = [5, 6], Label = 2, Weight = -1 },            // bad weight
            new RegressionRow { Features = [5, 6], Label = 2, Weight = float.NaN },     // bad weight
            new RegressionRow { Features = [5, 6], Label = 2, Weight = float.PositiveInfinity }, // bad weight
            new RegressionRow { Features = [7, 8], Label = 3, Weight = 0 },             // weight 0: cannot matter
            new RegressionRow { Features = [9, 10], Label = float.NegativeInfinity },   // missing (non-finite) label
            new RegressionRow { Features = [11, 12], Label = 4, Weight = 3 },
        };

        var data = TabularDataReader.Read(_ml.Data.LoadFromEnumerable(rows), "Features", "Label", "Weight", LabelKind.Regression);

        Assert.Equal(new SkippedRowCounts(MissingLabel: 3, NonFiniteFeature: 2, BadWeight: 3, ZeroWeight: 1), data.Skipped);
        Assert.Equal(2, data.RowCount);
        Assert.Equal([1f, 2, 11, 12], data.Features);
        Assert.Equal([10f, 4], data.Labels);
        Assert.Equal([1f, 3], data.Weights!);
        Assert.Equal("3 with a missing label in 'Label', 2 with a non-finite value (NaN or ±∞) in 'Features', 3 with a non-finite or negative weight in 'Weight', 1 with weight 0 in 'Weight'",
            data.Skipped.Describe("Label", "Features", "Weight"));
    }

    [Fact]
    public void No_usable_row_fails_saying_how_many_were_skipped_and_why()
    {
        var rows = new[]
        {
            new RegressionRow { Features = [1, 2], Label = float.NaN },
            new RegressionRow { Features = [float.NaN, 2], Label = 1 },
            new RegressionRow { Features = [1, 2], Label = 1, Weight = 0 },
        };

        var e = Assert.Throws<InvalidOperationException>(() =>
            TabularDataReader.Read(_ml.Data.LoadFromEnumerable(rows), "Features", "Label", "Weight", LabelKind.Regression));
        Assert.Contains("None of the 3 rows of the training data can be used", e.Message, StringComparison.Ordinal);
        Assert.Contains("1 with a missing label in 'Label'", e.Message, StringComparison.Ordinal);
        Assert.Contains("1 with a non-finite value", e.Message, StringComparison.Ordinal);
        Assert.Contains("1 with weight 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_data_fails_with_no_rows()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TabularDataReader.Read(Binary(), "Features", "Label", null, LabelKind.Binary));
        Assert.Equal("The training data has no rows.", e.Message);

        e = Assert.Throws<InvalidOperationException>(() => TabularDataReader.Read(Binary(), "Features", "Label", null, LabelKind.Binary, isValidation: true));
        Assert.Equal("The validation data has no rows.", e.Message);
    }

    [Theory]
    [InlineData(true, "is true in all 3 usable rows")]
    [InlineData(false, "is false in all 3 usable rows")]
    public void Binary_training_data_with_one_class_fails_naming_it(bool label, string expected)
    {
        var view = Binary(B(label), B(label), B(label), B(!label, 1, float.NaN, 0, 0));
        var e = Assert.Throws<InvalidOperationException>(() => TabularDataReader.Read(view, "Features", "Label", null, LabelKind.Binary));
        Assert.Contains("single class", e.Message, StringComparison.Ordinal);
        Assert.Contains($"label 'Label' {expected}", e.Message, StringComparison.Ordinal);

        // A validation set may hold one class.
        Assert.Equal(3, TabularDataReader.Read(view, "Features", "Label", null, LabelKind.Binary, isValidation: true).RowCount);
    }

    [Fact]
    public void Sparse_vectors_are_made_dense_and_checked()
    {
        var rows = new[]
        {
            new SparseRow { Features = new VBuffer<float>(5, 2, [1.5f, -2], [1, 4]), Label = 1 },
            new SparseRow { Features = new VBuffer<float>(5, [1, 2, 3, 4, 5]), Label = 2 },
            new SparseRow { Features = new VBuffer<float>(5, 0, [], []), Label = 3 },
            new SparseRow { Features = new VBuffer<float>(5, 1, [float.NaN], [2]), Label = 4 },
            new SparseRow { Features = new VBuffer<float>(5, 1, [7], [0]), Label = 5 },
        };

        var data = TabularDataReader.Read(_ml.Data.LoadFromEnumerable(rows), "Features", "Label", null, LabelKind.Regression);

        Assert.Equal(4, data.RowCount);
        Assert.Equal(1, data.Skipped.NonFiniteFeature);
        Assert.Equal([0f, 1.5f, 0, 0, -2, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0], data.Features);
        Assert.Equal([1f, 2, 3, 5], data.Labels);
        Assert.Null(data.Weights);
    }

    [Fact]
    public void Key_labels_become_class_indices_and_key_zero_is_missing()
    {
        var rows = new[]
        {
            // LoadFromEnumerable stores a class value v as key v + 1 and an out-of-range one as key 0, the missing key.
            new KeyRow { Feature = 1, Label = 0 },
            new KeyRow { Feature = 2, Label = 2 },
            new KeyRow { Feature = 3, Label = 3 },
            new KeyRow { Feature = 4, Label = 1 },
        };

        var data = TabularDataReader.Read(_ml.Data.LoadFromEnumerable(rows), "Feature", "Label", null, LabelKind.Multiclass);

        Assert.Equal(3, data.ClassCount);
        Assert.Equal(3, data.OutputSize);
        Assert.Equal([0f, 2, 1], data.Labels);
        Assert.Equal([1f, 2, 4], data.Features);
        Assert.Equal(1, data.Skipped.MissingLabel);
    }

    [Fact]
    public void MapValueToKey_labels_take_the_key_cardinality_and_unknown_values_are_missing()
    {
        var train = _ml.Data.LoadFromEnumerable(new[]
        {
            new StringLabelRow { Features = [1, 0], Label = "cat" },
            new StringLabelRow { Features = [0, 1], Label = "dog" },
            new StringLabelRow { Features = [1, 1], Label = "emu" },
        });
        var map = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        var other = _ml.Data.LoadFromEnumerable(new[]
        {
            new StringLabelRow { Features = [2, 2], Label = "emu" },
            new StringLabelRow { Features = [3, 3], Label = "yak" },   // not in the key's dictionary: key 0
        });

        var data = TabularDataReader.Read(map.Transform(other), "Features", "Label", null, LabelKind.Multiclass, isValidation: true);

        Assert.Equal(3, data.ClassCount);
        Assert.Equal([2f], data.Labels);
        Assert.Equal(1, data.Skipped.MissingLabel);
    }

    [Fact]
    public void Minibatches_hold_the_selected_rows()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var data = TabularData.FromArrays(LabelKind.Multiclass, [0, 1, 10, 11, 20, 21], [2, 0, 1], featureCount: 2, classCount: 3, weights: [1, 2, 3]);

        var batch = data.CreateBatch([2, 0]);

        Assert.Equal([2L, 2], batch.Features.shape);
        Assert.Equal([20f, 21, 0, 1], batch.Features.data<float>().ToArray());
        Assert.Equal(TorchSharp.torch.ScalarType.Int64, batch.Labels.dtype);
        Assert.Equal([1L, 2], batch.Labels.data<long>().ToArray());
        Assert.Equal([3f, 1], batch.Weights!.data<float>().ToArray());
        Assert.Equal(4, batch.WeightSum);
    }

    [Fact]
    public void Split_is_deterministic_and_partitions_the_rows()
    {
        var data = TabularData.FromArrays(LabelKind.Regression, Enumerable.Range(0, 20).Select(i => (float)i).ToArray(),
            Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), featureCount: 1);

        var (train, validation) = data.Split(0.25, seed: 3);
        var (train2, _) = data.Split(0.25, seed: 3);

        Assert.Equal(5, validation.RowCount);
        Assert.Equal(15, train.RowCount);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (float)i), train.Labels.Concat(validation.Labels).Order());
        Assert.Equal(train.Labels, train2.Labels);
    }
}
