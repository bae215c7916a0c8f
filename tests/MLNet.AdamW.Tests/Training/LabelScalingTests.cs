using Microsoft.ML;
using MLNet.AdamW.Data;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Tests.Trainers;
using MLNet.AdamW.Training;
using TorchSharp;

namespace MLNet.AdamW.Tests.Training;

/// <summary>
/// Regression labels are standardized for training and the scaling is folded into the output layer,
/// so a label's units and offset do not change what the trainer learns.
/// </summary>
public sealed class LabelScalingTests
{
    [Fact]
    public void Labels_times_1e4_plus_1e5_give_the_same_R_squared()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.FilterRowsByMissingValues(TrainerData.CarMileage(ml), "Label");
        var split = ml.Data.TrainTestSplit(data, 0.25, seed: 1);
        var shift = ml.Transforms.CustomMapping<LabelRow, LabelRow>((input, output) => output.Label = input.Label * 1e4f + 1e5f, contractName: null);

        double RSquared(bool shifted)
        {
            var train = shifted ? shift.Fit(split.TrainSet).Transform(split.TrainSet) : split.TrainSet;
            var test = shifted ? shift.Fit(split.TestSet).Transform(split.TestSet) : split.TestSet;
            var model = ml.Regression.Trainers.AdamW(TrainerData.Quick<AdamWRegressionTrainer.Options>(epochs: 100)).Fit(train);
            return ml.Regression.Evaluate(model.Transform(test)).RSquared;
        }

        var raw = RSquared(shifted: false);
        var scaled = RSquared(shifted: true);
        // Predicting the mean gives R² ≈ 0: the small network did learn the mileage.
        Assert.True(raw > 0.7, $"R² {raw:F4} on the raw labels");
        Assert.Equal(raw, scaled, 2e-3);
    }

    [Fact]
    public void Without_standardization_the_shifted_labels_are_learned_worse()
    {
        // The reason the option exists: the same short run on labels around 2.5e5 does not get far.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.FilterRowsByMissingValues(TrainerData.CarMileage(ml), "Label");
        var shifted = ml.Transforms.CustomMapping<LabelRow, LabelRow>((input, output) => output.Label = input.Label * 1e4f + 1e5f, contractName: null)
            .Fit(data).Transform(data);
        double RSquared(bool standardize)
        {
            var options = TrainerData.Quick<AdamWRegressionTrainer.Options>(epochs: 40);
            options.StandardizeLabel = standardize;
            return ml.Regression.Evaluate(ml.Regression.Trainers.AdamW(options).Fit(shifted).Transform(shifted)).RSquared;
        }
        Assert.True(RSquared(standardize: true) > RSquared(standardize: false) + 0.1);
    }

    [Fact]
    public void Fold_and_unfold_map_the_output_layer_exactly_between_the_two_units()
    {
        var data = TabularData.FromArrays(LabelKind.Regression, [0f, 1f, 2f, 3f], [10f, 12f, 14f, 20f], featureCount: 1);
        var scaling = LabelScaling.Of(data);
        Assert.Equal(14, scaling.Mean, 12);
        Assert.Equal(Math.Sqrt((16 + 4 + 0 + 36) / 4.0), scaling.Scale, 12);
        var standardized = scaling.Standardize(data).Labels;
        for (var i = 0; i < standardized.Length; i++)
            Assert.Equal((data.Labels[i] - 14) / scaling.Scale, standardized[i], 6);

        var spec = new MlpNetwork(1, [4], Activation.ReLU, batchNorm: false, dropout: 0, outputSize: 1);
        using var network = spec.Build(seed: 1);
        using var x = torch.tensor(new float[] { -1f, 0.5f, 2f }).reshape(3, 1);
        network.eval();
        var z = network.forward(x).data<float>().ToArray();
        scaling.Fold(network);
        var y = network.forward(x).data<float>().ToArray();
        for (var i = 0; i < z.Length; i++)
            Assert.Equal(scaling.Mean + scaling.Scale * z[i], y[i], 4);
        scaling.Unfold(network);
        var back = network.forward(x).data<float>().ToArray();
        for (var i = 0; i < z.Length; i++)
            Assert.Equal(z[i], back[i], 5);
    }

    private sealed class LabelRow
    {
        public float Label { get; set; }
    }
}
