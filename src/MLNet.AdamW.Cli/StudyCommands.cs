using System.CommandLine;
using MLNet.AdamW.Cli.Arguments;
using MLNet.AdamW.Cli.Display;
using MLNet.AdamW.Sweeps;

namespace MLNet.AdamW.Cli;

/// <summary><c>mlnet-adamw leaderboard</c> and <c>mlnet-adamw heatmap</c>: an existing study, read from its store.</summary>
internal static class StudyCommands
{
    public static IEnumerable<Command> Create(TextWriter output, TextWriter error)
    {
        yield return Leaderboard(output, error);
        yield return Heatmap(output, error);
    }

    private static Command Leaderboard(TextWriter output, TextWriter error)
    {
        var (storage, study) = StudyOptions();
        var top = new Option<int>("--top") { Description = "Rows to print (the files hold every trial).", DefaultValueFactory = _ => 20 };
        var outputDirectory = new Option<string?>("--output") { Description = "Also write leaderboard.csv and leaderboard.md into this folder." };
        var command = new Command("leaderboard", "Print a study's leaderboard, best first; optionally write it as CSV and Markdown.") { storage, study, top, outputDirectory };
        command.SetAction(parsed => CliApp.Guard(error, () =>
        {
            if (parsed.GetValue(top) < 1)
                throw new CliUsageException("--top", $"{parsed.GetValue(top)}: give at least 1.");
            var result = Open(parsed.GetValue(storage)!, parsed.GetValue(study)!);
            output.WriteLine(result.ToString());
            LeaderboardTable.Write(result, output, parsed.GetValue(top));
            if (parsed.GetValue(outputDirectory) is { } directory)
                StudyOutputs.WriteLeaderboards(result, Path.GetFullPath(directory), output);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Heatmap(TextWriter output, TextWriter error)
    {
        var (storage, study) = StudyOptions();
        var x = new Option<string?>("--x") { Description = "The option across (default: LearningRate when swept, else the first numeric option)." };
        var y = new Option<string?>("--y") { Description = "The option up (default: WeightDecay when swept, else the second numeric option)." };
        var outputDirectory = new Option<string>("--output") { Description = "Where to write heatmap.png and heatmap.svg.", DefaultValueFactory = _ => "." };
        var command = new Command("heatmap", "Draw a study's metric over two numeric options (PNG and SVG), the best cell marked.") { storage, study, x, y, outputDirectory };
        command.SetAction(parsed => CliApp.Guard(error, () =>
        {
            var result = Open(parsed.GetValue(storage)!, parsed.GetValue(study)!);
            var written = StudyOutputs.WriteHeatmap(result, Path.GetFullPath(parsed.GetValue(outputDirectory)!), parsed.GetValue(x), parsed.GetValue(y), required: true);
            output.WriteLine($"Wrote {string.Join(" and ", written.Select(StudyOutputs.Shown))}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static (Option<string> Storage, Option<string> Study) StudyOptions() =>
    (
        new Option<string>("--storage") { Description = "The study store: sqlite:path/to/sweep.db or postgres:\"Host=…\".", Required = true },
        new Option<string>("--study") { Description = "The study's name.", Required = true }
    );

    private static StudyResult Open(string storage, string study)
    {
        if (storage.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) && !File.Exists(storage["sqlite:".Length..]))
            throw new CliUsageException("--storage", $"{storage["sqlite:".Length..]} does not exist.");
        using var store = StudyStore.Open(storage);
        if (store.FindStudy(study) is null)
            throw new CliUsageException("--study", $"no study '{study}' in {storage}; its studies: {string.Join(", ", store.ListStudies().Select(s => s.Definition.Name))}.");
        return StudyResult.FromStore(store, study);
    }
}
