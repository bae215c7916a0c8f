using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MLNet.AdamW.Cli.Workers;

/// <summary>
/// The extra worker processes of <c>--workers K</c>: K-1 copies of this tool with the same arguments and
/// <c>--worker</c>, each a separate process because libtorch's thread pool and random generator are
/// process-wide. They share the study through its store, exactly like workers started by hand or on
/// other machines; each one stops when the process that started it is gone.
/// </summary>
internal sealed class WorkerProcesses : IDisposable
{
    private readonly List<(Process Process, StringBuilder Errors)> _workers = [];

    private WorkerProcesses()
    {
    }

    /// <summary>Starts <paramref name="count"/> workers with the given command-line arguments plus the worker role.</summary>
    public static WorkerProcesses Start(int count, IReadOnlyList<string> arguments)
    {
        var workers = new WorkerProcesses();
        try
        {
            for (var i = 0; i < count; i++)
                workers.StartOne(arguments);
        }
        catch
        {
            workers.Dispose();
            throw;
        }
        return workers;
    }

    /// <summary>How this tool is started again: the apphost itself, or <c>dotnet mlnet-adamw.dll</c>.</summary>
    public static (string FileName, IReadOnlyList<string> Prefix) SelfCommand()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown, so --workers cannot start more of it; start the workers by hand with the same command.");
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? (processPath, [typeof(WorkerProcesses).Assembly.Location])
            : (processPath, []);
    }

    /// <summary>Waits for every worker; returns the error text of those that failed (empty when all ended well).</summary>
    public IReadOnlyList<string> WaitAll()
    {
        var failures = new List<string>();
        foreach (var (process, errors) in _workers)
        {
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                lock (errors)
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"worker process {process.Id} exited with {process.ExitCode}: {errors.ToString().Trim()}"));
            }
        }
        return failures;
    }

    public void Dispose()
    {
        foreach (var (process, _) in _workers)
        {
            try
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
            process.Dispose();
        }
        _workers.Clear();
    }

    private void StartOne(IReadOnlyList<string> arguments)
    {
        var (fileName, prefix) = SelfCommand();
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in prefix.Concat(arguments))
            start.ArgumentList.Add(argument);
        start.ArgumentList.Add("--worker");
        start.ArgumentList.Add("--parent-pid");
        start.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start a worker process ({fileName}).");
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (errors)
                errors.AppendLine(e.Data);
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _workers.Add((process, errors));
    }

    /// <summary>
    /// For a spawned worker: ends this process as soon as the process that started it is gone (it was
    /// killed, or the user stopped it). The trial this worker was running is re-queued by the store once
    /// its heartbeat is stale, and runs again, from its start, in the next run.
    /// </summary>
    public static void ExitWhenParentIsGone(int parentProcessId)
    {
        var thread = new Thread(() =>
        {
            while (true)
            {
                if (!IsRunning(parentProcessId))
                    Environment.Exit(ExitCodes.Failure);
                Thread.Sleep(500);
            }
        })
        {
            IsBackground = true,
            Name = "parent watch",
        };
        thread.Start();
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
