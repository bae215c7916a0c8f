using System.Diagnostics;
using System.Globalization;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>Runs tests/MLNet.AdamW.FreshProcess: loads a model.zip in a new process and returns its scores.</summary>
internal static class FreshProcess
{
    public static (string TransformerType, float[][] Scores) Score(string modelPath, float[][] rows)
    {
        var testOutput = AppContext.BaseDirectory; // .../tests/MLNet.AdamW.Tests/bin/<Configuration>/net10.0/
        var framework = new DirectoryInfo(testOutput).Name;
        var configuration = new DirectoryInfo(testOutput).Parent!.Name;
        var tests = new DirectoryInfo(testOutput).Parent!.Parent!.Parent!.Parent!.FullName;
        var program = Path.Combine(tests, "MLNet.AdamW.FreshProcess", "bin", configuration, framework, "MLNet.AdamW.FreshProcess.dll");
        if (!File.Exists(program))
            throw new FileNotFoundException($"The fresh-process loader was not built at {program}.");

        var input = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(input, rows.Select(r => string.Join(' ', r.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { program, modelPath, input, rows[0].Length.ToString(CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("The fresh-process loader did not finish in 2 minutes.");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"The fresh-process loader failed ({process.ExitCode}): {error.Result}");
            var lines = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var scores = lines.Skip(1).Select(l => l.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
            return (lines[0], scores);
        }
        finally
        {
            File.Delete(input);
        }
    }
}
