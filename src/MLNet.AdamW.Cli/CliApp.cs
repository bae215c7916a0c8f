using System.CommandLine;
using MLNet.AdamW.Sweeps;
using MLNet.AdamW.Cli.Arguments;

namespace MLNet.AdamW.Cli;

/// <summary>
/// The <c>mlnet-adamw</c> command line: <c>sweep</c>, <c>leaderboard</c> and <c>heatmap</c>. Bad arguments
/// print a message naming the flag and return <see cref="ExitCodes.Usage"/> before anything runs.
/// </summary>
internal static class CliApp
{
    /// <summary>Parses and runs a command line; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var sweep = new SweepCommandLine();
        var root = new RootCommand("mlnet-adamw: sweeps of MLNet.AdamW trainer options over a CSV file, in a study store that loses nothing.");
        var sweepCommand = sweep.CreateCommand();
        sweepCommand.SetAction(result => Guard(error, () => SweepRunner.Run(sweep.Bind(result), args, output, error)));
        root.Subcommands.Add(sweepCommand);
        foreach (var command in StudyCommands.Create(output, error))
            root.Subcommands.Add(command);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
                error.WriteLine($"error: {e.Message}");
            error.WriteLine($"Run 'mlnet-adamw {(parsed.CommandResult.Command == root ? "" : parsed.CommandResult.Command.Name + " ")}--help' for the flags.");
            return ExitCodes.Usage;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>Runs a command, turning the errors a user can fix into a message and an exit code.</summary>
    public static int Guard(TextWriter error, Func<int> run)
    {
        try
        {
            return run();
        }
        catch (CliUsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is StudyStoreException or StudyMismatchException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
