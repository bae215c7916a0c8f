using System.Diagnostics;
using System.Globalization;

namespace MLNet.AdamW.Sweeps.Storage.Tests;

/// <summary>
/// A real worker process (tests/MLNet.AdamW.Sweeps.StoreWorker) on a study: claims, heartbeats, reports and
/// finishes trials of deterministic fake work, printing one line per event. <see cref="Kill"/> is a SIGKILL.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _errors = [];

    public WorkerProcess(string storage, string study, int trials, string worker, int epochs, int epochMilliseconds, int graceMilliseconds)
        : this(worker, [storage, study, Invariant(trials), worker, Invariant(epochs), Invariant(epochMilliseconds), Invariant(graceMilliseconds)])
    {
    }

    private WorkerProcess(string worker, string[] arguments)
    {
        Worker = worker;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Program);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Add(_lines, e.Data);
        _process.ErrorDataReceived += (_, e) => Add(_errors, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>A worker running a tiny real sweep with the sweep engine (the worker program's EngineWorker).</summary>
    public static WorkerProcess Engine(string storage, int trials, string worker, int staleAfterMilliseconds)
        => new(worker, ["engine", storage, Invariant(trials), worker, Invariant(staleAfterMilliseconds)]);

    public string Worker { get; }

    /// <summary>The built worker program, beside this test assembly's own output folder.</summary>
    public static string Program
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory); // .../tests/<this>/bin/<Configuration>/<framework>/
            var tests = output.Parent!.Parent!.Parent!.Parent!.FullName;
            var program = Path.Combine(tests, "MLNet.AdamW.Sweeps.StoreWorker", "bin", output.Parent.Name, output.Name, "MLNet.AdamW.Sweeps.StoreWorker.dll");
            return File.Exists(program) ? program : throw new FileNotFoundException($"The store worker was not built at {program}.");
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
                return [.. _lines];
        }
    }

    /// <summary>The trial numbers of this process's lines of one kind ("claimed", "finished", "lost").</summary>
    public IReadOnlyList<int> Numbers(string kind)
        => Lines.Where(l => l.StartsWith(kind + " ", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).ToList();

    /// <summary>Waits until a line satisfies <paramref name="predicate"/>; false when the process ended first or the time ran out.</summary>
    public bool WaitFor(Func<IReadOnlyList<string>, bool> predicate, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (predicate(Lines))
                return true;
            if (_process.HasExited)
            {
                _process.WaitForExit(); // drains the output
                return predicate(Lines);
            }
            Thread.Sleep(10);
        }
        return false;
    }

    /// <summary>SIGKILL, as a crash or kill -9. False when the process had already ended by itself.</summary>
    public bool Kill()
    {
        if (_process.HasExited)
            return false;
        try
        {
            _process.Kill(); // SIGKILL on Unix: no handler, no finally, no flush runs in the worker
        }
        catch (InvalidOperationException)
        {
            return false; // it ended between the check and the kill
        }
        _process.WaitForExit();
        return true;
    }

    /// <summary>Waits for the process to end by itself, and requires it to have succeeded.</summary>
    public void WaitForSuccess(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill();
            throw new TimeoutException($"Worker {Worker} did not finish in {timeout.TotalSeconds:F0} s. Output:\n{Describe()}");
        }
        _process.WaitForExit();
        var lines = Lines;
        if (_process.ExitCode != 0 || lines.Count == 0 || lines[^1] != "done")
            throw new InvalidOperationException($"Worker {Worker} failed (exit code {_process.ExitCode}). Output:\n{Describe()}");
    }

    private string Describe()
    {
        lock (_errors)
            return string.Join('\n', Lines) + "\n" + string.Join('\n', _errors);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static void Add(List<string> lines, string? line)
    {
        if (line is null)
            return;
        lock (lines)
            lines.Add(line);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
