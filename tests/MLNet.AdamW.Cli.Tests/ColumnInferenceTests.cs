using MLNet.AdamW.Training;
using MLNet.AdamW.Cli.Arguments;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Cli.Data;

namespace MLNet.AdamW.Cli.Tests;

/// <summary>Columns inferred from a CSV file as the mlnet CLI does: numbers are features, text is one-hot, the label by name.</summary>
public sealed class ColumnInferenceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void Numbers_are_features_text_is_one_hot_and_identifiers_are_left_out()
    {
        var lines = new List<string> { "id,size,\"shade, quoted\",when,Label" };
        for (var i = 0; i < 40; i++)
            lines.Add($"{i},{(i % 7 == 0 ? "" : (i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture))},{(i % 3 == 0 ? "\"dark, very\"" : "light")},day{i},{(i % 2 == 0 ? "yes" : "no")}");
        var path = _temp.Write("d.csv", [.. lines]);

        var inference = ColumnInference.Infer(path, ',', hasHeader: true, "Label", TrainingTask.BinaryClassification, ["id"]);

        Assert.Equal(
            [("id", ColumnRole.Ignored), ("size", ColumnRole.Numeric), ("shade, quoted", ColumnRole.Categorical), ("when", ColumnRole.Ignored), ("Label", ColumnRole.Label)],
            inference.Columns.Select(c => (c.Name, c.Role)));
        Assert.Equal("--ignore-cols", inference.Columns[0].Reason);
        Assert.Contains("40 distinct values in 40 rows", inference.Columns[3].Reason, StringComparison.Ordinal);
        Assert.Equal(2, inference.Columns[2].DistinctValues);
        Assert.Equal(["no", "yes"], inference.LabelValues);
        Assert.Equal(40, inference.Rows);
    }

    [Fact]
    public void Without_a_header_the_label_is_found_by_index()
    {
        var path = _temp.Write("d.csv", "1;2.5;x", "2;3.5;y", "3;1.0;x");
        var inference = ColumnInference.Infer(path, ';', hasHeader: false, "0", TrainingTask.Regression, []);
        Assert.Equal("Column0", inference.Label.Name);
        Assert.Equal([ColumnRole.Label, ColumnRole.Numeric, ColumnRole.Categorical], inference.Columns.Select(c => c.Role));
    }

    [Fact]
    public void A_missing_label_column_is_named_with_the_columns_there_are()
    {
        var path = _temp.Write("d.csv", "a,b", "1,2");
        var e = Assert.Throws<CliUsageException>(() => ColumnInference.Infer(path, ',', hasHeader: true, "Label", TrainingTask.Regression, []));
        Assert.Equal("--label-col", e.Flag);
        Assert.Equal("--label-col: the label column 'Label' is not in the file; columns: a, b.", e.Message);
    }

    [Fact]
    public void Missing_labels_are_counted_and_left_out_of_the_data()
    {
        var path = _temp.Write("d.csv", "x,y", "1,a", "2,", "3,b", "4,NA", "5,c");
        var ml = new Microsoft.ML.MLContext(1);
        var data = SweepDataset.Load(ml, path, ',', hasHeader: true, "y", TrainingTask.MulticlassClassification, []);
        Assert.Equal(2, data.Columns.MissingLabels);
        Assert.Equal(["a", "b", "c"], data.Columns.LabelValues);
        var keys = data.Data.GetColumn<uint>(SweepDataset.LabelColumn).ToArray();
        Assert.Equal([1u, 2u, 3u], keys);
    }

    [Fact]
    public void A_binary_label_is_true_for_the_larger_number_or_the_value_that_reads_as_yes()
    {
        Assert.Equal("1", SweepDataset.PositiveOf(["0", "1"]));
        Assert.Equal("1", SweepDataset.PositiveOf(["-1", "1"]));
        Assert.Equal("Yes", SweepDataset.PositiveOf(["No", "Yes"]));
        Assert.Equal("true", SweepDataset.PositiveOf(["false", "true"]));
        Assert.Equal("rain", SweepDataset.PositiveOf(["fog", "rain"]));

        var path = _temp.Write("d.csv", "x,y", "1,no", "2,yes", "3,?", "4,no");
        var data = SweepDataset.Load(new Microsoft.ML.MLContext(1), path, ',', hasHeader: true, "y", TrainingTask.BinaryClassification, []);
        Assert.Equal([false, true, false], data.Data.GetColumn<bool>(SweepDataset.LabelColumn).ToArray());
    }

    [Fact]
    public void The_featurization_gives_the_numbers_and_one_hot_codes_standardized()
    {
        var path = _temp.Write("d.csv", "x,c,y", "1,red,1.5", ",blue,2.5", "3,red,0.5", "5,green,1.0");
        var ml = new Microsoft.ML.MLContext(1);
        var data = SweepDataset.Load(ml, path, ',', hasHeader: true, "y", TrainingTask.Regression, []);
        var features = data.Featurizer().Fit(data.Data).Transform(data.Data).GetColumn<float[]>(SweepDataset.FeaturesColumn).ToArray();
        Assert.Equal(4, features.Length);
        Assert.All(features, f => Assert.Equal(4, f.Length)); // x, then red, blue, green
        // x with its missing value replaced by the mean (3): 1, 3, 3, 5 → standardized by ML.NET's mean-variance normalizer (scale only, no shift by default).
        var x = features.Select(f => (double)f[0]).ToArray();
        Assert.Equal(x[1], x[2], 6);
        Assert.Equal(x[0] * 3, x[1], 5);
        Assert.Equal([1f, 0f, 1f, 0f], features.Select(f => f[1] == 0 ? 0f : 1f));
    }

    [Fact]
    public void A_ragged_file_names_the_separator_and_the_line()
    {
        var path = _temp.Write("d.csv", "a,b,c", "1,2,3", "1,2");
        var e = Assert.Throws<CliUsageException>(() => ColumnInference.Infer(path, ',', hasHeader: true, "a", TrainingTask.Regression, []));
        Assert.Equal("--separator", e.Flag);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
