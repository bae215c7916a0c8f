using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using MLNet.AdamW.Sweeps;

namespace PaperReproduction;

/// <summary>What one invocation did: trials and gradient runs trained now, and the files written.</summary>
internal sealed record ReproductionSummary(int TrialsRun, int GradientRunsTrained, IReadOnlyList<string> Files, string ReportPath);

/// <summary>The whole reproduction: plan, sweeps (in this process and in worker processes), figures, report.</summary>
internal static class Reproduction
{
    public const string StudyFile = "studies.db";

    public static ReproductionSummary Run(ReproductionArguments arguments, string command, TextWriter log, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var loadAtStart = LoadAverage();
        var config = arguments.Config;
        var worker = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}");
        Directory.CreateDirectory(arguments.Output);
        using var store = new SqliteStudyStore(Path.Combine(arguments.Output, StudyFile));
        var sweep = new ReproductionSweep(arguments, store, log, worker);
        if (arguments.WorkerOnly)
            return new ReproductionSummary(sweep.Run(cancellationToken), 0, [], "");

        var (trials, workerSeconds) = config.Plan();
        log.WriteLine($"Configuration {config.Name}: {config.Describe()}.");
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Expected: {trials} trainings, about {Duration(workerSeconds)} of one worker, so about {Duration(workerSeconds / arguments.Workers)} with {arguments.Workers} worker{(arguments.Workers == 1 ? "" : "s")} on idle cores (from the measured step times of DESIGN §8; finished trials in {arguments.Output} are not rerun)."));
        log.WriteLine();

        var children = Enumerable.Range(1, arguments.Workers - 1).Select(_ => StartWorker(arguments)).ToList();
        int ran, gradientRuns;
        try
        {
            gradientRuns = sweep.RecordGradientScales(cancellationToken);
            ran = sweep.Run(cancellationToken);
        }
        finally
        {
            foreach (var child in children)
            {
                child.WaitForExit();
                if (child.ExitCode != 0)
                    log.WriteLine($"A worker process ended with exit code {child.ExitCode}; its unfinished trial is re-queued and run here.");
            }
        }
        // A worker that died left its trial running: once it is stale, this worker runs it.
        ran += sweep.Run(cancellationToken);

        var measurements = Measurements.Read(sweep, config);
        var context = new RunContext(command, arguments.Workers, arguments.Cosine, clock.Elapsed, ran, gradientRuns, loadAtStart, LoadAverage());
        var files = ReportWriter.Write(arguments.Output, measurements, sweep, context);
        var report = Path.Combine(arguments.Output, ReportWriter.ReportFile);
        log.WriteLine();
        foreach (var claim in Claims.Judge(measurements))
            log.WriteLine($"Claim {claim.Number}: {claim.VerdictText}. {claim.Claim}");
        log.WriteLine();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ran} trials and {gradientRuns} gradient-scale runs trained in {clock.Elapsed.TotalMinutes:0.0} min; report, figures and CSV in {arguments.Output} ({ReportWriter.ReportFile})."));
        return new ReproductionSummary(ran, gradientRuns, files, report);
    }

    private static Process StartWorker(ReproductionArguments arguments)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("The process path is unknown, so no worker process can be started; run with --workers 1.");
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under `dotnet PaperReproduction.dll` the host is dotnet itself, which needs the assembly first.
        if (string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var argument in arguments.ForWorker())
            start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start a worker process ({host}).");
    }

    private static string Duration(double seconds) => seconds switch
    {
        < 120 => FormattableString.Invariant($"{seconds:0} s"),
        < 2 * 3600 => FormattableString.Invariant($"{seconds / 60:0} min"),
        < 2 * 86400 => FormattableString.Invariant($"{seconds / 3600:0.#} h"),
        _ => FormattableString.Invariant($"{seconds / 86400:0.#} days"),
    };

    private static string LoadAverage()
    {
        const string file = "/proc/loadavg";
        return File.Exists(file) ? string.Join(" ", File.ReadAllText(file).Split(' ').Take(3)) : "unknown";
    }
}
