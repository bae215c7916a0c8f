using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MLNet.AdamW.Benchmarks;

if (args is ["compare", .. var suiteArgs])
{
    MLNet.AdamW.Benchmarks.DefaultsSuite.TrainerComparison.Run(suiteArgs);
    return;
}

if (args is ["asha", .. var ashaArgs])
{
    MLNet.AdamW.Benchmarks.Sweeps.AshaVersusGrid.Run(ashaArgs);
    return;
}

// In-process: the benchmarks call into libtorch, whose native library this build has made
// loadable in this output folder; a generated child project would need the same treatment.
var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15);
var config = DefaultConfig.Instance.AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator);
var summaries = BenchmarkSwitcher.FromTypes([typeof(OptimizerStepBenchmarks), typeof(MemoryBandwidthBenchmarks), typeof(TrainingOverheadBenchmarks), typeof(ScoringBenchmarks)])
    .Run(args, config)
    .ToArray();

PrintBandwidth(summaries);

static void PrintBandwidth(Summary[] summaries)
{
    var reports = summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null).ToList();
    double Bandwidth(string method, long bytes)
    {
        var report = reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
            && r.BenchmarkCase.Descriptor.Type == typeof(MemoryBandwidthBenchmarks));
        return report is null ? double.NaN : bytes / (report.ResultStatistics!.Mean * 1e-9) / 1e9;
    }

    var copy = Bandwidth(nameof(MemoryBandwidthBenchmarks.Copy), 2 * MemoryBandwidthBenchmarks.CopyBytes);
    var update = Bandwidth(nameof(MemoryBandwidthBenchmarks.InPlaceUpdate), MemoryBandwidthBenchmarks.UpdateBytes);
    var best = Math.Max(double.IsNaN(copy) ? 0 : copy, double.IsNaN(update) ? 0 : update);

    if (!reports.Any(r => r.BenchmarkCase.Descriptor.Type == typeof(OptimizerStepBenchmarks) || r.BenchmarkCase.Descriptor.Type == typeof(MemoryBandwidthBenchmarks)))
        return;
    Console.WriteLine();
    Console.WriteLine("Memory bandwidth and the effective bandwidth of one step on 16M parameters");
    Console.WriteLine("(AdamW moves 28 bytes per parameter: reads x, g, m, v; writes x, m, v):");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  copy  (read + write)        {copy,7:F2} GB/s"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  in-place x += s*y (12 B)    {update,7:F2} GB/s"));
    foreach (var report in reports.Where(r => r.BenchmarkCase.Descriptor.Type == typeof(OptimizerStepBenchmarks)
        && r.BenchmarkCase.Parameters["Set"] as string == ParameterSets.Single16M))
    {
        var seconds = report.ResultStatistics!.Mean * 1e-9;
        var gbPerSecond = 28.0 * ParameterSets.Count(ParameterSets.Single16M) / seconds / 1e9;
        var share = best > 0 ? string.Create(CultureInfo.InvariantCulture, $" = {gbPerSecond / best,4:P0} of the better of the two") : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo,-24} {seconds * 1e3,7:F2} ms/step {gbPerSecond,7:F2} GB/s{share}"));
    }
}
