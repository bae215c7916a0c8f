using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML;
using MLNet.AdamW.Samples;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Benchmarks;

/// <summary>
/// How the libtorch scorer should serve concurrent callers: one module behind a lock, or one module per
/// thread. Scores MNIST digits as 1×28×28 images one row at a time (as ML.NET's mapper does) with a CNN
/// (16-32, batch norm) and ResNet-20 at width 8, from 1, 2 and 4 threads, with one libtorch thread.
/// Run: <c>dotnet run -c Release --project benchmarks/MLNet.AdamW.Benchmarks -- scorer [rows]</c>.
/// </summary>
/// <remarks>A Stopwatch program rather than BenchmarkDotNet: each case runs for seconds on several threads.
/// Both strategies run the same per-row code (copy into a preallocated input tensor, forward under no_grad,
/// read the output's memory), so they differ only in how threads share modules.</remarks>
public static class ScorerConcurrency
{
    public static void Run(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        torch.set_num_threads(1);
        var digits = Datasets.Digits();
        var inputs = digits.Take(rows).SelectMany(d => d.Pixels).ToArray();
        rows = inputs.Length / 784;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Scoring {rows:N0} digits (1×28×28) one row at a time, 1 libtorch thread, {Environment.ProcessorCount} cores; best of 3 runs; load average {LoadAverage()}"));
        Console.WriteLine("network              threads  lock (rows/s)  module per thread (rows/s)  per-thread / lock");
        foreach (var (name, network) in new (string, NetworkOptions)[]
        {
            ("CNN 16-32, BN", new ConvNetNetworkOptions()),
            ("ResNet-20 w8, BN", new ResNetNetworkOptions { Depth = 20, Width = 8 }),
        })
        {
            var model = Train(digits, network);
            foreach (var threads in new[] { 1, 2, 4 })
            {
                var locked = Best(() => Locked(model, inputs, rows, threads));
                var perThread = Best(() => PerThread(model, inputs, rows, threads));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-20} {threads,7}  {locked,13:N0}  {perThread,26:N0}  {perThread / locked,17:F2}"));
            }
        }
    }

    private static AdamWMulticlassModelParameters Train(IReadOnlyList<Digit> digits, NetworkOptions network)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(digits.Take(256));
        var prepared = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.CopyColumns("Features", nameof(Digit.Pixels)))
            .Fit(data).Transform(data);
        var options = new AdamWMulticlassTrainer.Options
        {
            Network = network, ImageShape = new ImageShape(1, 28, 28), NumberOfEpochs = 1, BatchSize = 64, Seed = 1, NumberOfThreads = 1,
        };
        return ml.MulticlassClassification.Trainers.AdamW(options).Fit(prepared).Model;
    }

    private static double Best(Func<double> run) => Enumerable.Range(0, 3).Max(_ => run());

    /// <summary>Rows per second with one module shared under a lock.</summary>
    private static double Locked(AdamWMulticlassModelParameters model, float[] inputs, int rows, int threads)
    {
        using var worker = new Worker(model);
        var gate = new Lock();
        return Time(rows, threads, (row, output) =>
        {
            lock (gate)
                worker.Score(inputs.AsSpan(row * 784, 784), output);
        });
    }

    /// <summary>Rows per second with a module for each thread.</summary>
    private static double PerThread(AdamWMulticlassModelParameters model, float[] inputs, int rows, int threads)
    {
        using var workers = new ThreadLocal<Worker>(() => new Worker(model), trackAllValues: true);
        try
        {
            return Time(rows, threads, (row, output) => workers.Value!.Score(inputs.AsSpan(row * 784, 784), output));
        }
        finally
        {
            foreach (var worker in workers.Values)
                worker.Dispose();
        }
    }

    /// <summary>Each of the threads scores every threads-th row; the clock runs from a common start to the last finish.</summary>
    private static double Time(int rows, int threads, Action<int, float[]> score)
    {
        using var ready = new Barrier(threads + 1);
        var watch = new Stopwatch();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var output = new float[10];
            score(t, output); // builds this thread's module (and warms the lock's) before the clock starts
            ready.SignalAndWait();
            for (var row = t; row < rows; row += threads)
                score(row, output);
        })).ToList();
        workers.ForEach(w => w.Start());
        ready.SignalAndWait();
        watch.Start();
        workers.ForEach(w => w.Join());
        watch.Stop();
        return rows / watch.Elapsed.TotalSeconds;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private sealed class Worker : IDisposable
    {
        private readonly Sequential _module;
        private readonly Tensor _input = torch.zeros(1, 784);

        public Worker(AdamWMulticlassModelParameters model) => _module = model.CreateTorchModule();

        public void Score(ReadOnlySpan<float> row, float[] output)
        {
            row.CopyTo(MemoryMarshal.Cast<byte, float>(_input.bytes));
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var result = _module.forward(_input);
            MemoryMarshal.Cast<byte, float>(result.bytes)[..output.Length].CopyTo(output);
        }

        public void Dispose()
        {
            _module.Dispose();
            _input.Dispose();
        }
    }
}
