using System.Diagnostics;
using MLNet.AdamW;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OptimizerTour;

/// <summary>One optimizer of the tour: a display name, a weight-decay mode and its λ.</summary>
internal sealed record Contender(string Name, WeightDecayMode Mode, double WeightDecay, string UpdateRule);

/// <summary>What a contender reached: train loss on the whole training split, test accuracy, and the
/// norm of the decayed weights, which is where the modes differ most visibly.</summary>
internal sealed record TourResult(Contender Contender, double TrainLoss, double TestAccuracy, double WeightNorm, TimeSpan Time);

/// <summary>Training settings shared by every contender.</summary>
internal sealed record TrainingSettings(int Epochs, int BatchSize, double LearningRate, int Seed);

/// <summary>The network and its training through <see cref="NetworkTrainer"/>, the same for every contender except the optimizer.</summary>
internal static class Training
{
    public static readonly int[] LayerSizes = [784, 256, 128, 10];

    /// <summary>An MLP with ReLU; no batch normalization, the setting where the paper finds the
    /// choice of decay mode matters.</summary>
    public static Sequential CreateNetwork()
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (var i = 1; i < LayerSizes.Length; i++)
        {
            layers.Add(($"linear{i}", nn.Linear(LayerSizes[i - 1], LayerSizes[i])));
            if (i < LayerSizes.Length - 1)
                layers.Add(($"relu{i}", nn.ReLU()));
        }
        return nn.Sequential(layers.ToArray());
    }

    /// <param name="lossScale">Multiplies the loss that is back-propagated (never the reported one):
    /// a scale-free optimizer takes the same steps whatever it is.</param>
    public static TourResult Run(Contender contender, double lossScale, byte[] initialWeights, DigitData data, TrainingSettings settings)
    {
        var stopwatch = Stopwatch.StartNew();
        using var model = CreateNetwork();
        // Every contender starts from the very same weights, so differences come from the optimizer alone.
        using (var weights = new MemoryStream(initialWeights))
            model.load(weights);

        // The library's training loop: minibatches in an order drawn from the seed (the same for every
        // contender), the cosine schedule set on every step, the loss scale applied to the gradients only.
        NetworkTrainer.Train(model, new TensorData(data.Train.Features, data.Train.Labels), new NetworkTrainingOptions
        {
            Task = TrainingTask.MulticlassClassification,
            Optimizer = new AdamOptimizerOptions
            {
                LearningRate = settings.LearningRate,
                WeightDecay = contender.WeightDecay,
                WeightDecayMode = contender.Mode,
                WeightDecayScaling = WeightDecayScaling.LearningRate,
            },
            LearningRateSchedule = LearningRateSchedule.Cosine,
            NumberOfEpochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            Seed = settings.Seed,
            LossScale = lossScale,
        });

        var train = data.Train;
        using var noGrad = torch.no_grad();
        using var evaluation = torch.NewDisposeScope();
        var trainLoss = nn.functional.cross_entropy(model.forward(train.Features), train.Labels).ToDouble();
        var correct = model.forward(data.Test.Features).argmax(1).eq(data.Test.Labels).sum().ToInt64();
        var decayed = ParameterGroups.ForModule(model).Single(g => g.Name == ParameterGroups.DecayGroupName).Parameters;
        var weightNorm = Math.Sqrt(decayed.Sum(p => p.square().sum().ToDouble()));
        return new TourResult(contender, trainLoss, 100.0 * correct / data.Test.Count, weightNorm, stopwatch.Elapsed);
    }
}
