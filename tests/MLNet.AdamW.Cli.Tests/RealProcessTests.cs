using System.Globalization;
using System.Xml.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Sweeps;

namespace MLNet.AdamW.Cli.Tests;

/// <summary>The built tool as a child process: a tiny real sweep, SIGKILL at random moments, two worker processes.</summary>
public sealed class RealProcessTests(SweepFixture sweep) : IClassFixture<SweepFixture>
{
    [Fact]
    public void A_tiny_sweep_writes_the_leaderboard_the_heat_map_and_a_model_that_scores_the_file()
    {
        Assert.Equal(SweepFixture.TrialCount, sweep.Reference.Count);
        Assert.Contains($"{SweepFixture.TrialCount}/{SweepFixture.TrialCount} done: {SweepFixture.TrialCount} complete, 0 pruned, 0 failed", sweep.ReferenceOutput, StringComparison.Ordinal);

        var csv = File.ReadAllLines(Path.Combine(sweep.ReferenceDirectory, "leaderboard.csv"));
        Assert.Equal(SweepFixture.TrialCount + 1, csv.Length);
        var markdown = File.ReadAllText(Path.Combine(sweep.ReferenceDirectory, "leaderboard.md"));
        Assert.Contains("LearningRate", markdown, StringComparison.Ordinal);
        var svg = XDocument.Load(Path.Combine(sweep.ReferenceDirectory, "heatmap.svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        var png = File.ReadAllBytes(Path.Combine(sweep.ReferenceDirectory, "heatmap.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png.Take(4));

        // The refit best model reads the CSV file itself (its loader is saved with it) and predicts a weather class.
        var ml = new MLContext(1);
        var model = ml.Model.LoadWithDataLoader(Path.Combine(sweep.ReferenceDirectory, "model.zip"), out var loader);
        var scored = model.Transform(loader.Load(sweep.Dataset));
        var predicted = scored.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(p => p.ToString()).ToArray();
        Assert.Equal(300, predicted.Length);
        Assert.All(predicted, p => Assert.Contains(p, new[] { "drizzle", "rain", "sun", "snow", "fog" }));
    }

    [Fact]
    public void Killed_with_SIGKILL_at_random_moments_and_rerun_the_study_completes_as_if_never_interrupted()
    {
        using var temp = new TempDirectory();
        var arguments = sweep.Arguments("killed", "out");
        var random = new Random(2026);
        // Three moments: while starting (loading libtorch, opening the store), and after a random number
        // of finished trials plus a random delay (mid-trial, or while the store writes a result).
        Func<ToolProcess, bool>[] moments =
        [
            tool => SleepUnlessExited(tool, random.Next(200, 1500)),
            tool => WaitForDone(tool, random.Next(1, 3)) && SleepUnlessExited(tool, random.Next(0, 400)),
            tool => WaitForDone(tool, random.Next(3, SweepFixture.TrialCount)) && SleepUnlessExited(tool, random.Next(0, 400)),
        ];
        var kills = 0;
        foreach (var moment in moments)
        {
            using var tool = ToolProcess.Start(temp.Path, arguments);
            if (!moment(tool))
                continue; // it finished first: the next rerun has nothing left to do
            tool.KillHard();
            kills++;
            if (File.Exists(temp.File("killed.db")))
                AssertNoTrialTwice(SweepFixture.ReadTrials(temp.File("killed.db")));
        }
        Assert.True(kills >= 2, $"the sweep was killed only {kills} times");

        var (code, output, error) = ToolProcess.Run(temp.Path, SweepFixture.Timeout, arguments);
        Assert.True(code == 0, $"the rerun failed ({code}):\n{output}\n{error}");
        var trials = SweepFixture.ReadTrials(temp.File("killed.db"));
        sweep.AssertSameAsReference(trials);
        Assert.Equal(File.ReadAllLines(Path.Combine(sweep.ReferenceDirectory, "leaderboard.csv")).Length, File.ReadAllLines(temp.File("out/leaderboard.csv")).Length);
    }

    [Fact]
    public void Two_worker_processes_run_every_trial_exactly_once_with_the_results_of_one()
    {
        using var temp = new TempDirectory();
        var (code, output, error) = ToolProcess.Run(temp.Path, SweepFixture.Timeout, sweep.Arguments("two", "out", "--workers", "2"));
        Assert.True(code == 0, $"the two-worker sweep failed ({code}):\n{output}\n{error}");
        var trials = SweepFixture.ReadTrials(temp.File("two.db"));
        sweep.AssertSameAsReference(trials);
        Assert.All(trials, t => Assert.Equal(1, t.Attempt));
        // The workers are two processes: the trials name at most two, and never this test's process.
        var workers = trials.Select(t => t.Worker!).Distinct().ToArray();
        Assert.InRange(workers.Length, 1, 2);
        Assert.DoesNotContain(workers, w => w.Contains(string.Create(CultureInfo.InvariantCulture, $":{Environment.ProcessId}:"), StringComparison.Ordinal));
    }

    [Fact]
    public void The_leaderboard_command_prints_an_existing_study()
    {
        using var temp = new TempDirectory();
        var database = Path.Combine(Path.GetDirectoryName(sweep.ReferenceDirectory)!, "reference.db");
        var (code, output, error) = ToolProcess.Run(temp.Path, SweepFixture.Timeout, "leaderboard", "--storage", $"sqlite:{database}", "--study", "weather", "--output", "board");
        Assert.True(code == 0, $"leaderboard failed ({code}):\n{output}\n{error}");
        var best = sweep.Reference.Where(t => t.Status == TrialStatus.Complete).MaxBy(t => t.Result!.Value)!;
        Assert.Contains(best.Result!.Value!.Value.ToString("G5", CultureInfo.InvariantCulture), output, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(Path.Combine(sweep.ReferenceDirectory, "leaderboard.csv")), File.ReadAllText(temp.File("board/leaderboard.csv")));

        var missing = ToolProcess.Run(temp.Path, SweepFixture.Timeout, "leaderboard", "--storage", $"sqlite:{database}", "--study", "nope");
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("--study: no study 'nope'", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_heatmap_command_draws_the_two_varying_options_and_names_a_wrong_one()
    {
        using var temp = new TempDirectory();
        var storage = "sqlite:" + Path.Combine(Path.GetDirectoryName(sweep.ReferenceDirectory)!, "reference.db");
        var (code, output, error) = Cli.Run("heatmap", "--storage", storage, "--study", "weather", "--output", temp.Path);
        Assert.True(code == 0, error);
        Assert.Contains("heatmap.svg", output, StringComparison.Ordinal);
        var svg = XDocument.Load(temp.File("heatmap.svg"));
        // The axes are the two options that vary (NumberOfEpochs is fixed), learning rate across.
        var text = string.Concat(svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        Assert.Contains("LearningRate", text, StringComparison.Ordinal);
        Assert.Contains("WeightDecay", text, StringComparison.Ordinal);

        var wrong = Cli.Run("heatmap", "--storage", storage, "--study", "weather", "--x", "BatchSize", "--output", temp.Path);
        Assert.Equal(ExitCodes.Usage, wrong.ExitCode);
        Assert.Contains("--x: BatchSize is not a numeric option of the study", wrong.Error, StringComparison.Ordinal);
    }

    /// <summary>Sleeps; false when the tool ended meanwhile.</summary>
    private static bool SleepUnlessExited(ToolProcess tool, int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return !tool.HasExited;
    }

    /// <summary>Waits until the tool's progress shows at least <paramref name="done"/> finished trials; false when it ended first.</summary>
    private static bool WaitForDone(ToolProcess tool, int done)
    {
        var deadline = DateTime.UtcNow + SweepFixture.Timeout;
        while (DateTime.UtcNow < deadline && !tool.HasExited)
        {
            var lines = tool.Output.Split('\n').Where(l => l.Contains(" done: ", StringComparison.Ordinal)).ToList();
            if (lines.Count > 0 && int.Parse(lines[^1].Split(']')[1].Trim().Split('/')[0], CultureInfo.InvariantCulture) >= done)
                return true;
            Thread.Sleep(20);
        }
        return !tool.HasExited;
    }

    private static void AssertNoTrialTwice(IReadOnlyList<TrialRecord> trials) =>
        Assert.Equal(trials.Count, trials.Select(t => t.Number).Distinct().Count());
}
