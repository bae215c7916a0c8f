using MLNet.AdamW.Sweeps;

namespace MLNet.AdamW.Cli.Tests;

/// <summary>
/// A tiny real sweep for the child-process tests: 300 days of the shipped Seattle weather, the weather
/// class from four numbers, a 3 × 2 grid of learning rate × weight decay, 6 epochs; and its leaderboard
/// from one uninterrupted run of the built tool, the reference the other runs must equal.
/// </summary>
public sealed class SweepFixture : IDisposable
{
    public const int TrialCount = 6;

    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private readonly TempDirectory _temp = new();

    public SweepFixture()
    {
        var weather = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "seattle-weather.csv")).Take(301).ToArray();
        Dataset = _temp.Write("weather.csv", weather);
        var (code, output, error) = ToolProcess.Run(_temp.Path, Timeout, Arguments("reference", "reference"));
        Assert.True(code == 0, $"the uninterrupted sweep failed ({code}):\n{output}\n{error}");
        ReferenceOutput = output;
        ReferenceDirectory = _temp.File("reference");
        Reference = ReadTrials(_temp.File("reference.db"));
    }

    public string Dataset { get; }

    public string ReferenceDirectory { get; }

    public string ReferenceOutput { get; }

    /// <summary>The uninterrupted run's trials, by number.</summary>
    public IReadOnlyList<TrialRecord> Reference { get; }

    /// <summary>The sweep's command line, into the SQLite file <c>{store}.db</c> and the output folder <c>{output}</c>.</summary>
    public string[] Arguments(string store, string output, params string[] more) =>
    [
        "sweep", "--dataset", Dataset, "--has-header", "--label-col", "weather", "--ignore-cols", "date",
        "--task", "multiclass-classification", "--metric", "micro-accuracy",
        "--storage", $"sqlite:{store}.db", "--study", "weather", "--strategy", "grid", "--seed", "7",
        "--set", "LearningRate=1e-3,3e-3,1e-2", "--set", "WeightDecay=1e-4,1e-1", "--set", "NumberOfEpochs=6",
        "--validation-fraction", "0.25", "--stale-after", "2", "--output", output, .. more,
    ];

    /// <summary>A study's trials as its store holds them.</summary>
    public static IReadOnlyList<TrialRecord> ReadTrials(string databasePath, string study = "weather")
    {
        using var store = StudyStore.Open($"sqlite:{databasePath}");
        var info = store.FindStudy(study) ?? throw new InvalidOperationException($"No study {study} in {databasePath}.");
        return store.GetTrials(info.Id);
    }

    /// <summary>
    /// Asserts that a study holds every trial of the grid exactly once, each complete, with the options,
    /// status and metric values of the uninterrupted run.
    /// </summary>
    public void AssertSameAsReference(IReadOnlyList<TrialRecord> trials)
    {
        Assert.Equal(Enumerable.Range(0, TrialCount), trials.Select(t => t.Number).Order());
        Assert.All(trials, t => Assert.Equal(TrialStatus.Complete, t.Status));
        foreach (var (expected, actual) in Reference.OrderBy(t => t.Number).Zip(trials.OrderBy(t => t.Number)))
        {
            Assert.Equal(expected.Spec.ParametersJson, actual.Spec.ParametersJson);
            Assert.Equal(expected.Spec.Seed, actual.Spec.Seed);
            Assert.Equal(expected.Status, actual.Status);
            Assert.Equal(expected.Result!.Value, actual.Result!.Value);
            Assert.Equal(expected.Result.FoldValues, actual.Result.FoldValues);
            Assert.Equal(expected.Result.EpochsRun, actual.Result.EpochsRun);
        }
    }

    public void Dispose() => _temp.Dispose();
}
