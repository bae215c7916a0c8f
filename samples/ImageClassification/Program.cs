using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.AdamW;
using MLNet.AdamW.Samples;

namespace ImageClassification;

/// <summary>
/// Image files through ML.NET's image transforms into the AdamW trainer: the shipped MNIST digits
/// written as PNG files, read back as 1×28×28 grey images, and classified by ResNet-20 with and
/// without batch normalization, with an MLP as the baseline.
/// </summary>
internal static class Program
{
    // Sized for a few minutes on 2 cores with one libtorch thread: 6,000 of the 10,000 digits,
    // ResNet-20 at half the paper's width (8 channels in the first stage instead of 16), a few epochs.
    private const int TrainCount = 4000;
    private const int TestCount = 2000;
    private const int Side = 28;

    public static void Main()
    {
        Console.OutputEncoding = Encoding.UTF8;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var total = Stopwatch.StartNew();
        var folder = Path.Combine(Path.GetTempPath(), "mlnet-adamw-digit-images");
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        var digits = DigitImageFiles.Load();
        var trainFiles = DigitImageFiles.Write(digits, 0, TrainCount, folder);
        var testFiles = DigitImageFiles.Write(digits, TrainCount, TestCount, folder);
        Console.WriteLine($"Wrote {TrainCount + TestCount:N0} MNIST digits as {Side}×{Side} grey PNG files to {Path.GetFileName(folder)} in the temp folder:");
        Console.WriteLine($"the first {TrainCount:N0} train, the next {TestCount:N0} test.");

        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(trainFiles);
        var test = ml.Data.LoadFromEnumerable(testFiles);

        // File name → image → 28×28 → one channel of floats in [0, 1]. ExtractPixels types its
        // column as a 1×28×28 vector, so the trainer knows the image shape without being told.
        var images = ml.Transforms.LoadImages("Image", folder, nameof(DigitImage.ImagePath))
            .Append(ml.Transforms.ResizeImages("Image", Side, Side))
            .Append(ml.Transforms.ExtractPixels("Features", "Image", ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1f / 255))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"));
        var featurized = images.Fit(train);
        Console.WriteLine($"Pipeline: LoadImages → ResizeImages → ExtractPixels; the feature column is {featurized.GetOutputSchema(train.Schema)["Features"].Type}.");
        Console.WriteLine();

        // Both ResNets train alike: the trainers' defaults (AdamW, α = 1e-2, λ = 3e-2, minibatches of 32,
        // cosine schedule) plus a two-epoch warm-up, which the ResNet without batch norm needs: its
        // activations grow through the residual sums, and at full α from the first step it learns
        // slowly. The MLP is the MulticlassClassification sample's 784-128-10.
        var runs = new (string Name, AdamWMulticlassTrainer.Options Options)[]
        {
            ("MLP 784-128-10", new() { Network = new MlpNetworkOptions { HiddenLayers = [128] }, NumberOfEpochs = 10 }),
            ("ResNet-20 w8, BN", ImageNetwork(new ResNetNetworkOptions { Depth = 20, Width = 8, BatchNorm = true })),
            ("ResNet-20 w8, no BN", ImageNetwork(new ResNetNetworkOptions { Depth = 20, Width = 8, BatchNorm = false })),
        };

        var results = new List<(string Name, MulticlassClassificationMetrics Metrics, double Seconds)>();
        foreach (var (name, options) in runs)
        {
            options.Seed = 1;
            options.NumberOfThreads = 1;
            var clock = Stopwatch.StartNew();
            var model = images.Append(ml.MulticlassClassification.Trainers.AdamW(options)).Fit(train);
            var seconds = clock.Elapsed.TotalSeconds;
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
            var network = model.LastTransformer.Model;
            Console.WriteLine(network.NetworkDescription);
            Console.WriteLine($"  {network.OptimizerDescription}");
            var last = network.History.Epochs[^1];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  last epoch's training loss {last.TrainLoss:G4}; fit {seconds:F1} s (reading the {TrainCount:N0} image files included)"));
            results.Add((name, metrics, seconds));
        }

        Console.WriteLine();
        Console.WriteLine("network                 test accuracy   log-loss   fit (s)");
        foreach (var (name, metrics, seconds) in results)
            Console.WriteLine($"{name,-22}  {metrics.MicroAccuracy,13:P2}  {metrics.LogLoss,9:F4}  {seconds,8:F1}");
        Console.WriteLine();
        Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:F0} s.");
        Directory.Delete(folder, recursive: true);
    }

    private static AdamWMulticlassTrainer.Options ImageNetwork(NetworkOptions network) => new()
    {
        Network = network,
        WarmupEpochs = 2,
        NumberOfEpochs = 8,
    };
}
