using System.Diagnostics;
using System.Text;

namespace MLNet.AdamW.Cli.Tests;

/// <summary>
/// Runs the built tool (src/MLNet.AdamW.Cli's own build output, as `dotnet mlnet-adamw.dll`) as a child
/// process, as a user's shell would: its own working directory, output captured.
/// </summary>
internal sealed class ToolProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private ToolProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The tool's main assembly in the build output of the same configuration as these tests.</summary>
    public static string ToolPath
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory); // .../tests/MLNet.AdamW.Cli.Tests/bin/<Configuration>/net10.0/
            var framework = testOutput.Name;
            var configuration = testOutput.Parent!.Name;
            var repository = testOutput.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            var tool = Path.Combine(repository, "src", "MLNet.AdamW.Cli", "bin", configuration, framework, "mlnet-adamw.dll");
            return File.Exists(tool) ? tool : throw new FileNotFoundException($"The tool was not built at {tool}.");
        }
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
                return _error.ToString();
        }
    }

    public static ToolProcess Start(string workingDirectory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        var tool = new ToolProcess(Process.Start(start)!);
        tool._process.OutputDataReceived += (_, e) => Append(tool._output, e.Data);
        tool._process.ErrorDataReceived += (_, e) => Append(tool._error, e.Data);
        tool._process.BeginOutputReadLine();
        tool._process.BeginErrorReadLine();
        return tool;
    }

    /// <summary>Runs the tool to its end; fails the test if it takes longer than <paramref name="timeout"/>.</summary>
    public static (int ExitCode, string Output, string Error) Run(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        using var tool = Start(workingDirectory, arguments);
        var code = tool.WaitForExit(timeout);
        return (code, tool.Output, tool.Error);
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mlnet-adamw did not finish in {timeout}. Output:\n{Output}\nErrors:\n{Error}");
        }
        _process.WaitForExit(); // drains the asynchronous output readers
        return _process.ExitCode;
    }

    /// <summary>Kills the process with SIGKILL (no handler runs, nothing is flushed): as a power cut would stop it.</summary>
    public void KillHard()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-9", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
            return;
        lock (buffer)
            buffer.AppendLine(line);
    }
}
