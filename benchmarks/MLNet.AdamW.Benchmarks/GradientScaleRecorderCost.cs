using System.Globalization;
using MLNet.AdamW.Diagnostics;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Samples;
using MLNet.AdamW.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Benchmarks;

/// <summary>
/// What the gradient-scale recorder costs an epoch: with no recorder, with a recorder attached but not
/// recording in that epoch, and with it recording the epoch's first minibatch (the paper's protocol).
/// Not a BenchmarkDotNet benchmark: the unit is an epoch of real training, timed by the loop itself
/// (<see cref="EpochSummary.Duration"/>).
/// </summary>
/// <remarks>
/// <para>Each network trains on MNIST digits with AdamW through <see cref="NetworkTrainer"/>, one libtorch
/// thread. A round is two runs from the same initial weights, interleaved so that load changes hit both:
/// one without a recorder and one whose recorder records the odd epochs. Epoch 1 (warm-up) is left out;
/// the medians over all rounds are compared.</para>
/// <para>Command line (after <c>gradient-scales</c>): <c>--rounds N</c> (default 3), <c>--epochs N</c> (default 7).</para>
/// </remarks>
public static class GradientScaleRecorderCost
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private sealed record Case(string Name, int Rows, Func<nn.Module<Tensor, Tensor>> Build);

    public static void Run(string[] args)
    {
        var rounds = Option(args, "--rounds", 3);
        var epochs = Option(args, "--epochs", 7);
        torch.set_num_threads(1);
        var digits = Datasets.Digits();
        Case[] cases =
        [
            new("MLP 784-256-256-10 (269,322 parameters), 8,000 digits", 8000,
                () => nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))),
            new("CNN conv16-conv32-linear (20,490 parameters), 2,000 digits", 2000,
                () => nn.Sequential(nn.Unflatten(1, [1, 28, 28]), nn.Conv2d(1, 16, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(16, 32, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 7 * 7, 10))),
        ];
        Console.WriteLine(string.Create(C, $"{rounds} rounds × {epochs} epochs per run, batch 128, AdamW α = 1e-3, 1 libtorch thread; load average at start: {LoadAverage()}"));
        Console.WriteLine();
        Console.WriteLine("| network | epoch, no recorder | recorder attached, off | extra | recorder on (first minibatch) | extra |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var c in cases)
        {
            var features = torch.tensor(digits.Take(c.Rows).SelectMany(d => d.Pixels).ToArray(), [c.Rows, 784]);
            var labels = torch.tensor(digits.Take(c.Rows).Select(d => (long)d.Label).ToArray());
            var data = new TensorData(features, labels);
            List<double> plain = [], off = [], on = [];
            Train(c, data, epochs: 2, recorder: null);   // warm-up: JIT, allocator
            for (var round = 0; round < rounds; round++)
            {
                plain.AddRange(Train(c, data, epochs, recorder: null).Skip(1));
                var recorder = new GradientScaleRecorder(new GradientScaleDiagnosticsOptions { Epochs = [.. Enumerable.Range(1, epochs).Where(e => e % 2 == 1)] });
                var durations = Train(c, data, epochs, recorder);
                for (var e = 2; e <= epochs; e++)
                    (e % 2 == 1 ? on : off).Add(durations[e - 1]);
            }
            var (p, f, n) = (Median(plain), Median(off), Median(on));
            Console.WriteLine(string.Create(C,
                $"| {c.Name} | {p * 1e3:F0} ms | {f * 1e3:F0} ms | {(f / p - 1) * 100:+0.0;−0.0} % | {n * 1e3:F0} ms | {(n / p - 1) * 100:+0.0;−0.0} % ({(n - p) * 1e3:F0} ms) |"));
            features.Dispose();
            labels.Dispose();
        }
        Console.WriteLine();
        Console.WriteLine($"Load average at the end: {LoadAverage()}");
    }

    private static double[] Train(Case c, TensorData data, int epochs, GradientScaleRecorder? recorder)
    {
        torch.manual_seed(1);
        using var network = c.Build();
        var options = new NetworkTrainingOptions
        {
            Task = TrainingTask.MulticlassClassification,
            Optimizer = new AdamOptimizerOptions { LearningRate = 1e-3, WeightDecay = 1e-2 },
            NumberOfEpochs = epochs,
            BatchSize = 128,
            NumberOfThreads = 1,
        };
        if (recorder is not null)
            options.Observers.Add(recorder);
        var history = NetworkTrainer.Train(network, data, options);
        return [.. history.Epochs.Select(e => e.Duration.TotalSeconds)];
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], C) : fallback;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
