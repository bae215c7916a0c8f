using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>Bad input gets a clear error (type and message checked), and nothing silently wrong.</summary>
public sealed class BadInputTests
{
    private sealed class BinaryRow
    {
        public bool Label { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = [];
    }

    private sealed class FloatLabelRow
    {
        public float Label { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = [];
    }

    private sealed class UIntLabelRow
    {
        public uint Label { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = [];
    }

    private sealed class KeyLabelRow
    {
        [KeyType(3)]
        public uint Label { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = [];
    }

    private sealed class VariableFeaturesRow
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    private sealed class ScalarFeatureRow
    {
        public bool Label { get; set; }

        public float Features { get; set; }
    }

    private sealed class DoubleFeaturesRow
    {
        public bool Label { get; set; }

        [VectorType(3)]
        public double[] Features { get; set; } = [];
    }

    private sealed class WeightedRow
    {
        public float Label { get; set; }

        public float Weight { get; set; }

        public double DoubleWeight { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = [];
    }

    private static readonly MLContext s_ml = new(seed: 1);

    private static AdamWBinaryTrainer Binary(MLContext ml, string label = "Label") =>
        ml.BinaryClassification.Trainers.AdamW(new AdamWBinaryTrainer.Options { LabelColumnName = label, Network = new MlpNetworkOptions { HiddenLayers = [4] }, NumberOfEpochs = 2, Seed = 1, NumberOfThreads = 1 });

    private static AdamWMulticlassTrainer Multiclass(MLContext ml) =>
        ml.MulticlassClassification.Trainers.AdamW(new AdamWMulticlassTrainer.Options { Network = new MlpNetworkOptions { HiddenLayers = [4] }, NumberOfEpochs = 2, Seed = 1, NumberOfThreads = 1 });

    private static AdamWRegressionTrainer Regression(MLContext ml) =>
        ml.Regression.Trainers.AdamW(new AdamWRegressionTrainer.Options { Network = new MlpNetworkOptions { HiddenLayers = [4] }, NumberOfEpochs = 2, Seed = 1, NumberOfThreads = 1 });

    private static List<BinaryRow> BinaryRows(int n = 40) =>
        Enumerable.Range(0, n).Select(i => new BinaryRow { Label = i % 2 == 0, Features = [i % 2 == 0 ? 1 : -1, i * 0.01f, 0.5f] }).ToList();

    private static IDataView Load<T>(IEnumerable<T> rows)
        where T : class => s_ml.Data.LoadFromEnumerable(rows);

    private static TException Fails<TException>(Action action, params string[] fragments)
        where TException : Exception
    {
        var e = Assert.ThrowsAny<Exception>(action);
        Assert.True(e.GetType() == typeof(TException), $"expected {typeof(TException).Name}, got {e.GetType().Name}: {e.Message}");
        foreach (var fragment in fragments)
            Assert.True(e.Message.Contains(fragment, StringComparison.Ordinal), $"'{fragment}' is not in the message: {e.Message}");
        return (TException)e;
    }

    [Fact]
    public void A_missing_label_or_feature_column_is_named()
    {
        var data = Load(BinaryRows());
        Fails<ArgumentOutOfRangeException>(() => Binary(s_ml, label: "IsMale").Fit(data), "label column 'IsMale'");
        var noFeatures = s_ml.Transforms.DropColumns("Features").Fit(data).Transform(data);
        Fails<ArgumentOutOfRangeException>(() => Binary(s_ml).Fit(noFeatures), "feature column 'Features'");
        Fails<ArgumentOutOfRangeException>(() => Regression(s_ml).Fit(noFeatures), "feature column 'Features'");
    }

    [Fact]
    public void A_binary_label_must_be_Boolean()
    {
        var data = Load(new[] { new FloatLabelRow { Label = 1, Features = [1, 2, 3] } });
        Fails<ArgumentOutOfRangeException>(() => Binary(s_ml).Fit(data), "label column 'Label'", "expected Boolean", "got Single");
    }

    [Fact]
    public void A_multiclass_label_must_be_a_key_and_the_message_says_to_add_MapValueToKey()
    {
        var numbers = Load(new[] { new UIntLabelRow { Label = 1, Features = [1, 2, 3] } });
        Fails<ArgumentOutOfRangeException>(() => Multiclass(s_ml).Fit(numbers), "expected a key type", "MapValueToKey(\"Label\")");
        var text = s_ml.Transforms.Conversion.MapKeyToValue("Label").Fit(TrainerData.PenguinSpecies(s_ml)).Transform(TrainerData.PenguinSpecies(s_ml));
        Fails<ArgumentOutOfRangeException>(() => Multiclass(s_ml).Fit(text), "got String", "MapValueToKey");
    }

    [Fact]
    public void A_regression_label_must_be_Single()
    {
        var data = Load(BinaryRows());
        Fails<ArgumentOutOfRangeException>(() => Regression(s_ml).Fit(data), "expected Single", "ConvertType");
    }

    [Fact]
    public void Features_must_be_a_known_size_vector_of_Single()
    {
        var variable = Load(new[] { new VariableFeaturesRow { Label = true, Features = [1, 2] }, new VariableFeaturesRow { Features = [1, 2, 3] } });
        Assert.True(variable.Schema["Features"].Type is VectorDataViewType { IsKnownSize: false });
        Fails<ArgumentOutOfRangeException>(() => Binary(s_ml).Fit(variable), "feature column 'Features'", "expected Vector<Single>", "got VarVector<Single>");

        var scalar = Load(new[] { new ScalarFeatureRow { Label = true, Features = 1 }, new ScalarFeatureRow { Features = 2 } });
        Fails<ArgumentOutOfRangeException>(() => Binary(s_ml).Fit(scalar), "feature column 'Features'", "got Single");

        var doubles = Load(new[] { new DoubleFeaturesRow { Label = true, Features = [1, 2, 3] }, new DoubleFeaturesRow { Features = [1, 2, 3] } });
        Fails<ArgumentOutOfRangeException>(() => Binary(s_ml).Fit(doubles), "feature column 'Features'", "got Vector<Double>");
    }

    [Fact]
    public void Empty_data_is_refused()
    {
        Fails<InvalidOperationException>(() => Binary(s_ml).Fit(Load(new List<BinaryRow>())), "training data has no rows");
        Fails<InvalidOperationException>(() => Regression(s_ml).Fit(Load(new List<FloatLabelRow>())), "training data has no rows");
    }

    [Fact]
    public void Binary_data_of_a_single_class_is_refused()
    {
        var rows = BinaryRows().Select(r => new BinaryRow { Label = true, Features = r.Features });
        Fails<InvalidOperationException>(() => Binary(s_ml).Fit(Load(rows)), "single class", "'Label' is true in all 40");
    }

    [Fact]
    public void Rows_with_a_missing_label_or_a_non_finite_feature_are_skipped_counted_and_reported()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Warning)
                warnings.Add(e.Message);
        };
        var rows = Enumerable.Range(0, 30).Select(i => new FloatLabelRow { Label = i, Features = [i, 1, -i] }).ToList();
        rows[3].Label = float.NaN;
        rows[7].Label = float.NaN;
        rows[11].Features[1] = float.PositiveInfinity;
        rows[12].Features[0] = float.NaN;
        rows[13].Features[2] = float.NegativeInfinity;
        var model = Regression(ml).Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.All(model.Model.History.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss)));
        var warning = Assert.Single(warnings);
        Assert.Contains("2 with a missing label in 'Label'", warning, StringComparison.Ordinal);
        Assert.Contains("3 with a non-finite value (NaN or ±∞) in 'Features'", warning, StringComparison.Ordinal);
        Assert.Contains("Skipped 5 of 30", warning, StringComparison.Ordinal);

        // Multiclass: key value 0 is a missing label. LoadFromEnumerable maps a [KeyType(3)] property's 0, 1, 2 to the
        // keys 1, 2, 3 and the out-of-range 3 to the missing key 0: 7 of these 30 rows.
        var keys = Enumerable.Range(0, 30).Select(i => new KeyLabelRow { Label = (uint)(i % 4), Features = [i % 4, 1, 0] }).ToList();
        warnings.Clear();
        ml.MulticlassClassification.Trainers.AdamW(new AdamWMulticlassTrainer.Options { Network = new MlpNetworkOptions { HiddenLayers = [4] }, NumberOfEpochs = 1, Seed = 1 })
            .Fit(ml.Data.LoadFromEnumerable(keys));
        var keyWarning = Assert.Single(warnings);
        Assert.True(keyWarning.Contains("Skipped 7 of 30 training rows: 7 with a missing label in 'Label'", StringComparison.Ordinal), keyWarning);
    }

    [Fact]
    public void A_weight_column_must_exist_and_be_Single_and_bad_weights_are_skipped_and_counted()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Kind == ChannelMessageKind.Warning)
                warnings.Add(e.Message);
        };
        var rows = Enumerable.Range(0, 20).Select(i => new WeightedRow { Label = i, Weight = 1, DoubleWeight = 1, Features = [i, 1, 0] }).ToList();
        rows[0].Weight = 0;
        rows[1].Weight = -1;
        rows[2].Weight = float.NaN;
        var data = ml.Data.LoadFromEnumerable(rows);
        AdamWRegressionTrainer Weighted(string column) => ml.Regression.Trainers.AdamW(
            new AdamWRegressionTrainer.Options { ExampleWeightColumnName = column, Network = new MlpNetworkOptions { HiddenLayers = [4] }, NumberOfEpochs = 1, Seed = 1 });

        Fails<ArgumentOutOfRangeException>(() => Weighted("Importance").Fit(data), "weight column 'Importance'");
        Fails<ArgumentOutOfRangeException>(() => Weighted(nameof(WeightedRow.DoubleWeight)).Fit(data), "weight column 'DoubleWeight'", "got Double");
        Weighted(nameof(WeightedRow.Weight)).Fit(data);
        var warning = Assert.Single(warnings);
        Assert.True(warning.Contains("Skipped 3 of 20 training rows: 2 with a non-finite or negative weight in 'Weight', 1 with weight 0 in 'Weight'", StringComparison.Ordinal), warning);
    }

    [Fact]
    public void Data_without_a_usable_row_is_refused_with_the_counts()
    {
        var rows = Enumerable.Range(0, 3).Select(i => new FloatLabelRow { Label = float.NaN, Features = [i, 1, 2] }).ToList();
        rows[2].Label = 1;
        rows[2].Features[0] = float.NaN;
        Fails<InvalidOperationException>(() => Regression(s_ml).Fit(Load(rows)),
            "None of the 3 rows", "2 with a missing label in 'Label'", "1 with a non-finite value", "ReplaceMissingValues");
    }

    /// <summary>Each option out of range, and what the message must name.</summary>
    private static readonly Dictionary<string, (string Option, Action<AdamWTrainerOptions> Set)> s_outOfRange = new()
    {
        ["LearningRate 0"] = ("LearningRate", o => o.LearningRate = 0),
        ["LearningRate NaN"] = ("LearningRate", o => o.LearningRate = double.NaN),
        ["LearningRate ∞"] = ("LearningRate", o => o.LearningRate = double.PositiveInfinity),
        ["Beta1 1"] = ("Beta1", o => o.Beta1 = 1),
        ["Beta1 -0.1"] = ("Beta1", o => o.Beta1 = -0.1),
        ["Beta2 1"] = ("Beta2", o => o.Beta2 = 1),
        ["Epsilon -1"] = ("Epsilon", o => o.Epsilon = -1),
        ["WeightDecay -1"] = ("WeightDecay", o => o.WeightDecay = -1),
        ["WeightDecayMode 99"] = ("WeightDecayMode", o => o.WeightDecayMode = (WeightDecayMode)99),
        ["WeightDecayScaling 99"] = ("WeightDecayScaling", o => o.WeightDecayScaling = (WeightDecayScaling)99),
        ["Momentum 1 (SGD)"] = ("Momentum", o => { o.Optimizer = OptimizerKind.Sgd; o.Momentum = 1; }),
        ["Optimizer 99"] = ("Optimizer", o => o.Optimizer = (OptimizerKind)99),
        ["NumberOfEpochs 0"] = ("NumberOfEpochs", o => o.NumberOfEpochs = 0),
        ["BatchSize 0"] = ("BatchSize", o => o.BatchSize = 0),
        ["BatchSize 1 with BatchNorm"] = ("BatchSize", o => { ((MlpNetworkOptions)o.Network).BatchNorm = true; o.BatchSize = 1; }),
        ["Dropout 1"] = ("Dropout", o => ((MlpNetworkOptions)o.Network).Dropout = 1),
        ["Dropout -0.1"] = ("Dropout", o => ((MlpNetworkOptions)o.Network).Dropout = -0.1),
        ["ValidationFraction 1"] = ("ValidationFraction", o => o.ValidationFraction = 1),
        ["ValidationFraction -0.5"] = ("ValidationFraction", o => o.ValidationFraction = -0.5),
        ["HiddenLayers {0}"] = ("HiddenLayers", o => o.Network = new MlpNetworkOptions { HiddenLayers = [0] }),
        ["HiddenLayers {8, -1}"] = ("HiddenLayers", o => o.Network = new MlpNetworkOptions { HiddenLayers = [8, -1] }),
        ["HiddenLayers null"] = ("HiddenLayers", o => ((MlpNetworkOptions)o.Network).HiddenLayers = null!),
        ["Activation 99"] = ("Activation", o => ((MlpNetworkOptions)o.Network).Activation = (Activation)99),
        ["WarmupEpochs > NumberOfEpochs"] = ("WarmupEpochs", o => { o.NumberOfEpochs = 5; o.WarmupEpochs = 6; }),
        ["WarmupEpochs -1"] = ("WarmupEpochs", o => o.WarmupEpochs = -1),
        ["LearningRateSchedule 99"] = ("LearningRateSchedule", o => o.LearningRateSchedule = (LearningRateSchedule)99),
        ["StepSize 0"] = ("StepSize", o => o.StepSize = 0),
        ["StepGamma 0"] = ("StepGamma", o => o.StepGamma = 0),
        ["StepGamma 1.5"] = ("StepGamma", o => o.StepGamma = 1.5),
        ["MinimumLearningRateFraction 1.5"] = ("MinimumLearningRateFraction", o => o.MinimumLearningRateFraction = 1.5),
        ["NumberOfThreads 0"] = ("NumberOfThreads", o => o.NumberOfThreads = 0),
        ["EarlyStoppingPatience 0"] = ("EarlyStoppingPatience", o => o.EarlyStoppingPatience = 0),
        ["CheckpointInterval 0"] = ("CheckpointInterval", o => o.CheckpointInterval = 0),
        ["LabelColumnName empty"] = ("LabelColumnName", o => o.LabelColumnName = ""),
        ["FeatureColumnName empty"] = ("FeatureColumnName", o => o.FeatureColumnName = " "),
        ["ExampleWeightColumnName empty"] = ("ExampleWeightColumnName", o => o.ExampleWeightColumnName = ""),
    };

    public static TheoryData<string> OutOfRangeCases => [.. s_outOfRange.Keys];

    [Theory]
    [MemberData(nameof(OutOfRangeCases))]
    public void An_option_out_of_range_fails_when_the_trainer_is_created_naming_the_option(string name)
    {
        var (option, set) = s_outOfRange[name];
        var ml = new MLContext();
        Action[] create =
        [
            () => ml.BinaryClassification.Trainers.AdamW(With(new AdamWBinaryTrainer.Options(), set)),
            () => ml.MulticlassClassification.Trainers.AdamW(With(new AdamWMulticlassTrainer.Options(), set)),
            () => ml.Regression.Trainers.AdamW(With(new AdamWRegressionTrainer.Options(), set)),
        ];
        foreach (var action in create)
        {
            var e = Fails<ArgumentOutOfRangeException>(action, option);
            Assert.Equal(option, e.ParamName);
        }
    }

    [Fact]
    public void The_simple_catalog_overloads_validate_too()
    {
        var ml = new MLContext();
        Assert.Equal("LearningRate", Fails<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.AdamW(learningRate: 0)).ParamName);
        Assert.Equal("NumberOfEpochs", Fails<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.AdamW(numberOfEpochs: 0)).ParamName);
        Assert.Equal("WeightDecay", Fails<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.AdamW(weightDecay: -1)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => ml.BinaryClassification.Trainers.AdamW((AdamWBinaryTrainer.Options)null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => ml.MulticlassClassification.Trainers.AdamW((AdamWMulticlassTrainer.Options)null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => ml.Regression.Trainers.AdamW((AdamWRegressionTrainer.Options)null!)).ParamName);
        // A λ given with no decay mode would be ignored: a contradiction rather than a value out of range.
        Assert.Equal("WeightDecay", Fails<ArgumentException>(() => ml.Regression.Trainers.AdamW(weightDecay: 1e-2, weightDecayMode: WeightDecayMode.None), "None").ParamName);
    }

    [Fact]
    public void Early_stopping_without_validation_data_says_how_to_provide_it()
    {
        var options = new AdamWBinaryTrainer.Options { EarlyStoppingPatience = 2, Network = new MlpNetworkOptions { HiddenLayers = [4] }, NumberOfEpochs = 3, Seed = 1 };
        var trainer = s_ml.BinaryClassification.Trainers.AdamW(options);
        Fails<ArgumentException>(() => trainer.Fit(Load(BinaryRows())), "EarlyStoppingPatience", "validation", "ValidationFraction");

        // With either kind of validation data it trains.
        Assert.NotNull(trainer.Fit(Load(BinaryRows()), Load(BinaryRows(10))));
        options.ValidationFraction = 0.25;
        Assert.NotNull(s_ml.BinaryClassification.Trainers.AdamW(options).Fit(Load(BinaryRows())));
    }

    [Fact]
    public void Validation_data_that_does_not_match_is_refused()
    {
        var trainer = Binary(s_ml);
        var noFeatures = s_ml.Transforms.DropColumns("Features").Fit(Load(BinaryRows())).Transform(Load(BinaryRows()));
        Fails<ArgumentOutOfRangeException>(() => trainer.Fit(Load(BinaryRows()), noFeatures), "feature column 'Features'");
        Fails<InvalidOperationException>(() => trainer.Fit(Load(BinaryRows()), Load(new List<BinaryRow>())), "validation data has no rows");
    }

    [Fact]
    public void Divergence_stops_training_naming_the_epoch_and_suggesting_a_smaller_learning_rate()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.CarMileage(ml);
        var options = new AdamWRegressionTrainer.Options
        {
            LearningRate = 1e6, WeightDecayMode = WeightDecayMode.None, WeightDecay = 0, LearningRateSchedule = LearningRateSchedule.Constant,
            Network = new MlpNetworkOptions { HiddenLayers = [16] }, NumberOfEpochs = 20, Seed = 1, NumberOfThreads = 1,
        };
        ITransformer? model = null;
        var e = Fails<InvalidOperationException>(() => model = ml.Regression.Trainers.AdamW(options).Fit(data),
            "Training diverged in epoch ", "Try a smaller LearningRate: it is 1000000");
        Assert.Null(model);
        Assert.Matches(@"epoch \d+, minibatch \d+ of \d+", e.Message);
    }

    private static T With<T>(T options, Action<AdamWTrainerOptions> set)
        where T : AdamWTrainerOptions
    {
        set(options);
        return options;
    }
}
