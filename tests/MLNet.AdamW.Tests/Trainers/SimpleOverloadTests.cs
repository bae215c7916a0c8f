using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// The catalogs' simple overloads: a hyperparameter left null is the options' default, and λ's
/// default follows the mode, so <c>weightDecayMode: None</c> alone trains plain Adam. The reference
/// is the options overload with the same settings spelled out: from contexts seeded alike, it must
/// give the same optimizer and the same scores.
/// </summary>
public sealed class SimpleOverloadTests
{
    private const int Epochs = 3;

    [Fact]
    public void Binary_with_mode_None_alone_trains_Adam_with_no_decay() =>
        AssertSameModel(TrainerData.PenguinSex,
            ml => ml.BinaryClassification.Trainers.AdamW(weightDecayMode: WeightDecayMode.None, numberOfEpochs: Epochs),
            ml => ml.BinaryClassification.Trainers.AdamW(Spelled<AdamWBinaryTrainer.Options>(WeightDecayMode.None, weightDecay: 0)));

    [Fact]
    public void Multiclass_with_mode_None_alone_trains_Adam_with_no_decay() =>
        AssertSameModel(TrainerData.PenguinSpecies,
            ml => ml.MulticlassClassification.Trainers.AdamW(weightDecayMode: WeightDecayMode.None, numberOfEpochs: Epochs),
            ml => ml.MulticlassClassification.Trainers.AdamW(Spelled<AdamWMulticlassTrainer.Options>(WeightDecayMode.None, weightDecay: 0)));

    [Fact]
    public void Regression_with_mode_None_alone_trains_Adam_with_no_decay() =>
        AssertSameModel(TrainerData.CarMileage,
            ml => ml.Regression.Trainers.AdamW(weightDecayMode: WeightDecayMode.None, numberOfEpochs: Epochs),
            ml => ml.Regression.Trainers.AdamW(Spelled<AdamWRegressionTrainer.Options>(WeightDecayMode.None, weightDecay: 0)));

    [Theory]
    [InlineData(WeightDecayMode.L2)]
    [InlineData(WeightDecayMode.Decoupled)]
    [InlineData(WeightDecayMode.Proximal)]
    public void With_a_decaying_mode_a_null_weight_decay_is_the_options_default(WeightDecayMode mode)
    {
        var defaultDecay = new AdamWMulticlassTrainer.Options().WeightDecay;
        Assert.NotEqual(0, defaultDecay);
        AssertSameModel(TrainerData.PenguinSpecies,
            ml => ml.MulticlassClassification.Trainers.AdamW(weightDecayMode: mode, numberOfEpochs: Epochs),
            ml => ml.MulticlassClassification.Trainers.AdamW(Spelled<AdamWMulticlassTrainer.Options>(mode, defaultDecay)));
    }

    [Fact]
    public void Given_values_are_used_as_given()
    {
        var given = Spelled<AdamWBinaryTrainer.Options>(WeightDecayMode.Proximal, weightDecay: 0.3);
        given.LearningRate = 3e-3;
        AssertSameModel(TrainerData.PenguinSex,
            ml => ml.BinaryClassification.Trainers.AdamW(learningRate: 3e-3, weightDecay: 0.3, weightDecayMode: WeightDecayMode.Proximal, numberOfEpochs: Epochs),
            ml => ml.BinaryClassification.Trainers.AdamW(given));
    }

    [Fact]
    public void Nothing_given_is_the_options_defaults()
    {
        var simple = AssertSameModel(TrainerData.CarMileage,
            ml => ml.Regression.Trainers.AdamW(),
            ml => ml.Regression.Trainers.AdamW(new AdamWRegressionTrainer.Options()));
        Assert.Equal(new AdamWRegressionTrainer.Options().NumberOfEpochs, simple.History.Epochs.Count);
    }

    /// <summary>The options overload's equivalent of a simple call: the given mode, λ and epochs, everything else default.</summary>
    private static T Spelled<T>(WeightDecayMode mode, double weightDecay)
        where T : AdamWTrainerOptions, new() =>
        new() { WeightDecayMode = mode, WeightDecay = weightDecay, NumberOfEpochs = Epochs };

    private sealed record Trained(string OptimizerDescription, TrainingHistory History, float[][] Scores);

    private static Trained AssertSameModel<TTransformer>(
        Func<MLContext, IDataView> data, Func<MLContext, IEstimator<TTransformer>> simple, Func<MLContext, IEstimator<TTransformer>> reference)
        where TTransformer : class, ITransformer
    {
        var fromSimple = Fit(data, simple);
        var fromReference = Fit(data, reference);
        Assert.Equal(fromReference.OptimizerDescription, fromSimple.OptimizerDescription);
        Assert.Equal(fromReference.History.Epochs.Count, fromSimple.History.Epochs.Count);
        Assert.Equal(fromReference.Scores, fromSimple.Scores);
        return fromSimple;
    }

    // The seed comes from the context (the options leave it null): a fresh context with the same seed,
    // used in the same order, gives both trainers the same one.
    private static Trained Fit<TTransformer>(Func<MLContext, IDataView> data, Func<MLContext, IEstimator<TTransformer>> trainer)
        where TTransformer : class, ITransformer
    {
        var ml = new MLContext(seed: 1);
        var rows = data(ml);
        var transformer = trainer(ml).Fit(rows);
        var (description, history) = ((IPredictionTransformer<object>)transformer).Model switch
        {
            AdamWModelParametersBase<float> single => (single.OptimizerDescription, single.History),
            AdamWModelParametersBase<VBuffer<float>> vector => (vector.OptimizerDescription, vector.History),
            var other => throw new InvalidOperationException($"Unexpected model {other.GetType().Name}."),
        };
        return new Trained(description, history, TrainerData.Scores(transformer.Transform(rows)));
    }
}
