using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Samples;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Benchmarks.Images;

/// <summary>
/// The image networks on 1×28×28 MNIST digits: (1) the time of an epoch in the trainer's <c>Fit</c>
/// against a hand-written TorchSharp loop over the same tensors, with the same module, optimizer
/// settings and batch size, at each libtorch thread count, and the optimizer step's share of a
/// training step; (2) scoring: <c>PredictionEngine.Predict</c> latency and <c>Transform</c> rows/s
/// against a batched libtorch forward of the same rows. Not a BenchmarkDotNet benchmark: a fit of
/// ResNet-20 takes tens of seconds, so each case runs a few times, interleaved, and the table gives
/// the median. Command line (after <c>images</c>): <c>--rows N</c> (training rows, default 1,024),
/// <c>--epochs N</c> (10), <c>--repeats N</c> (3), <c>--threads 1,2</c>, <c>--networks a,b</c>
/// (<see cref="Networks"/>), <c>--score-rows N</c> (10,000), <c>--training-only</c>,
/// <c>--scoring-only</c>, <c>--out FILE</c>.
/// </summary>
public static class ImageComparison
{
    private const int BatchSize = 128;
    private const double LearningRate = 1e-3;
    private const double WeightDecay = 1e-2;
    private const int ForwardChunk = 1000;
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private sealed record ImageNetwork(string Key, string Name, Func<NetworkOptions> Options);

    private static readonly ImageNetwork[] Networks =
    [
        new("resnet20-w16", "ResNet-20 w16, BN", () => new ResNetNetworkOptions { Depth = 20, Width = 16, BatchNorm = true }),
        new("resnet20-w8", "ResNet-20 w8, BN", () => new ResNetNetworkOptions { Depth = 20, Width = 8, BatchNorm = true }),
        new("cnn", "CNN 16-32, BN", () => new ConvNetNetworkOptions { Widths = [16, 32], BatchNorm = true }),
    ];

    /// <summary>Runs what the command line asks and prints Markdown tables.</summary>
    public static void Run(string[] args)
    {
        int rows = 1024, epochs = 10, repeats = 3, scoreRows = 10_000;
        int[] threads = [1, 2];
        var networks = Networks;
        bool training = true, scoring = true;
        string? outPath = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows": rows = int.Parse(args[++i], C); break;
                case "--epochs": epochs = int.Parse(args[++i], C); break;
                case "--repeats": repeats = int.Parse(args[++i], C); break;
                case "--score-rows": scoreRows = int.Parse(args[++i], C); break;
                case "--threads": threads = [.. args[++i].Split(',').Select(t => int.Parse(t, C))]; break;
                case "--networks":
                    var keys = args[++i].Split(',');
                    networks = [.. keys.Select(k => Networks.FirstOrDefault(n => n.Key == k)
                        ?? throw new ArgumentException($"Unknown network '{k}'; known: {string.Join(", ", Networks.Select(n => n.Key))}."))];
                    break;
                case "--training-only": scoring = false; break;
                case "--scoring-only": training = false; break;
                case "--out": outPath = args[++i]; break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Use --rows N, --epochs N, --repeats N, --threads 1,2, " +
                        $"--networks {string.Join(",", Networks.Select(n => n.Key))}, --score-rows N, --training-only, --scoring-only, --out FILE.");
            }
        }

        var report = new StringBuilder();
        void Line(string text = "")
        {
            Console.WriteLine(text);
            report.AppendLine(text);
        }

        var previousThreads = torch.get_num_threads();
        var digits = Datasets.Digits();
        var ml = new MLContext(seed: 1);
        Line(string.Create(C, $"{Environment.ProcessorCount} cores, load average at start: {LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        if (training)
        {
            using var data = new ImageBenchmarkData(ml, digits, rows);
            Line();
            Line(string.Create(C, $"Training: {data.Rows:N0} digits as 1×28×28, {epochs} epochs of minibatches of {BatchSize}, Adam with decoupled decay (α = {LearningRate}, λ = {WeightDecay}, biases and norms spared), cosine schedule; median of {repeats} interleaved runs."));
            Line();
            Line("| network | libtorch threads | hand-written loop, s/epoch | trainer `Fit`, s/epoch | ratio | trainer's own epochs, s/epoch | optimizer step / training step |");
            Line("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var network in networks)
                foreach (var t in threads)
                {
                    var result = CompareTraining(ml, data, network, t, epochs, repeats);
                    Line(string.Create(C, $"| {network.Name} | {t} | {result.HandSeconds / epochs:F3} | {result.FitSeconds / epochs:F3} | **{result.FitSeconds / result.HandSeconds:F3}** | {result.EpochSeconds / epochs:F3} | {result.StepShare:P1} ({result.StepMilliseconds:F2} of {result.TrainingStepMilliseconds:F1} ms) |"));
                }
        }

        if (scoring)
        {
            torch.set_num_threads(1);
            using var data = new ImageBenchmarkData(ml, digits, scoreRows);
            Line();
            Line(string.Create(C, $"Scoring {data.Rows:N0} digits, 1 libtorch thread; the batched forward runs the same module in chunks of {ForwardChunk:N0} rows."));
            Line();
            Line("| network | `Transform` + read Score | rows/s | `PredictionEngine.Predict`, one row (median) | allocated per Predict | libtorch batched forward | rows/s | Transform / batched |");
            Line("|---|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var network in networks)
            {
                var result = CompareScoring(ml, data, network, repeats);
                Line(string.Create(C, $"| {network.Name} | {result.TransformSeconds:F2} s | {data.Rows / result.TransformSeconds:N0} | {result.PredictMicroseconds:N0} µs | {result.PredictBytes:N0} B | {result.BatchedSeconds:F2} s | {data.Rows / result.BatchedSeconds:N0} | {result.TransformSeconds / result.BatchedSeconds:F2} |"));
            }
        }
        torch.set_num_threads(previousThreads);
        Line();
        Line($"Load average at the end: {LoadAverage()}");
        if (outPath is not null)
            File.WriteAllText(outPath, report.ToString());
    }

    private static AdamWMulticlassTrainer Trainer(MLContext ml, ImageNetwork network, int threads, int epochs) =>
        ml.MulticlassClassification.Trainers.AdamW(new AdamWMulticlassTrainer.Options
        {
            Network = network.Options(),
            ImageShape = ImageBenchmarkData.Shape,
            NumberOfEpochs = epochs,
            BatchSize = BatchSize,
            LearningRate = LearningRate,
            WeightDecay = WeightDecay,
            Seed = 1,
            NumberOfThreads = threads,
        });

    private sealed record TrainingResult(double HandSeconds, double FitSeconds, double EpochSeconds, double StepShare, double StepMilliseconds, double TrainingStepMilliseconds);

    private static TrainingResult CompareTraining(MLContext ml, ImageBenchmarkData data, ImageNetwork network, int threads, int epochs, int repeats)
    {
        // A one-epoch fit warms up both paths and gives the hand-written loop the trainer's module.
        var warmUp = Trainer(ml, network, threads, 1).Fit(data.View);
        using var module = warmUp.Model.CreateTorchModule();
        _ = HandWritten(module, data, threads, 1);

        var hand = new List<HandResult>();
        var fits = new List<(double Seconds, double Epochs)>();
        for (var r = 0; r < repeats; r++)
        {
            hand.Add(HandWritten(module, data, threads, epochs));
            var clock = Stopwatch.StartNew();
            var model = Trainer(ml, network, threads, epochs).Fit(data.View);
            var seconds = clock.Elapsed.TotalSeconds;
            fits.Add((seconds, model.Model.History.Epochs.Sum(e => e.Duration.TotalSeconds)));
        }
        var steps = epochs * ((data.Rows + BatchSize - 1) / BatchSize);
        var median = hand.OrderBy(h => h.Seconds).ElementAt(repeats / 2);
        return new TrainingResult(
            median.Seconds,
            Median(fits.Select(f => f.Seconds)),
            Median(fits.Select(f => f.Epochs)),
            median.StepSeconds / median.Seconds,
            median.StepSeconds / steps * 1e3,
            median.Seconds / steps * 1e3);
    }

    private sealed record HandResult(double Seconds, double StepSeconds);

    /// <summary>
    /// What a TorchSharp user writes: a shuffled order per epoch, <c>index_select</c> minibatches,
    /// cross-entropy, backward, our AdamOptimizer with the trainer's decay mask and a per-step cosine
    /// learning rate; the loss read back every step, as the trainer does for its divergence check.
    /// </summary>
    private static HandResult HandWritten(Sequential module, ImageBenchmarkData data, int threads, int epochs)
    {
        var previous = torch.get_num_threads();
        torch.set_num_threads(threads);
        try
        {
            torch.manual_seed(1);
            module.train();
            using var optimizer = new AdamOptimizer(ParameterGroups.ForModule(module),
                new AdamOptimizerOptions { LearningRate = LearningRate, WeightDecay = WeightDecay });
            var rows = data.Rows;
            var steps = epochs * ((rows + BatchSize - 1) / BatchSize);
            var step = 0;
            var stepClock = new Stopwatch();
            var clock = Stopwatch.StartNew();
            for (var epoch = 0; epoch < epochs; epoch++)
            {
                using var order = torch.randperm(rows);
                for (var start = 0; start < rows; start += BatchSize)
                {
                    using var scope = torch.NewDisposeScope();
                    var index = order.narrow(0, start, Math.Min(BatchSize, rows - start));
                    var rate = LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step++ / Math.Max(1, steps - 1)));
                    foreach (var group in optimizer.Groups)
                        group.LearningRate = rate;
                    optimizer.zero_grad();
                    var loss = nn.functional.cross_entropy(module.forward(data.Features.index_select(0, index)), data.Labels.index_select(0, index));
                    _ = loss.item<float>();
                    loss.backward();
                    stepClock.Start();
                    optimizer.step();
                    stepClock.Stop();
                }
            }
            return new HandResult(clock.Elapsed.TotalSeconds, stepClock.Elapsed.TotalSeconds);
        }
        finally
        {
            torch.set_num_threads(previous);
        }
    }

    private sealed record ScoringResult(double TransformSeconds, double PredictMicroseconds, double PredictBytes, double BatchedSeconds);

    public sealed class DigitScore
    {
        public float[] Score { get; set; } = [];
    }

    private static ScoringResult CompareScoring(MLContext ml, ImageBenchmarkData data, ImageNetwork network, int repeats)
    {
        var model = Trainer(ml, network, 1, 1).Fit(data.View);

        var transform = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            var scored = model.Transform(data.View);
            var column = scored.Schema["Score"];
            using var cursor = scored.GetRowCursor([column]);
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
                getter(ref value);
            transform.Add(clock.Elapsed.TotalSeconds);
        }

        var pixels = ml.Transforms.CopyColumns("Features", nameof(Digit.Pixels)).Fit(data.View);
        using var engine = ml.Model.CreatePredictionEngine<Digit, DigitScore>(pixels.Append(model));
        var digit = data.Digits[0];
        var output = new DigitScore();
        for (var i = 0; i < 50; i++)
            engine.Predict(digit, ref output);
        const int Predictions = 500;
        var latencies = new double[Predictions];
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Predictions; i++)
        {
            var start = Stopwatch.GetTimestamp();
            engine.Predict(data.Digits[i % data.Rows], ref output);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)Predictions;

        using var module = model.Model.CreateTorchModule();
        module.eval();
        var batched = new List<double>();
        for (var r = 0; r < repeats + 1; r++)   // the first run warms up
        {
            var clock = Stopwatch.StartNew();
            using (torch.no_grad())
                for (var start = 0; start < data.Rows; start += ForwardChunk)
                {
                    using var scope = torch.NewDisposeScope();
                    _ = nn.functional.softmax(module.forward(data.Features.narrow(0, start, Math.Min(ForwardChunk, data.Rows - start))), 1).sum().item<float>();
                }
            if (r > 0)
                batched.Add(clock.Elapsed.TotalSeconds);
        }
        return new ScoringResult(Median(transform), Median(latencies), bytes, Median(batched));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
