using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using MLNet.AdamW;
using MLNet.AdamW.Samples;
using MLNet.AdamW.Sweeps;
using MLNet.AdamW.Training;
using Npgsql;

// dotnet run -c Release --project benchmarks/MLNet.AdamW.Sweeps.StoreBenchmarks -- latency|overhead [postgres connection string]
// latency:  claim + finish round trips by 1, 2 and 4 worker processes on one study (SQLite, PostgreSQL).
// overhead: a real sweep on the shipped penguins; engine time per trial outside the trial's own fit time.
// (claim-loop is the child process of latency.)
var invariant = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "latency":
        Latency(args.Length > 1 ? args[1] : null);
        return 0;
    case "overhead":
        Overhead(args.Length > 1 ? args[1] : null);
        return 0;
    case "claim-loop":
        ClaimLoop(args[1], int.Parse(args[2], invariant), args[3]);
        return 0;
    default:
        Console.Error.WriteLine("usage: latency|overhead [postgres connection string]");
        return 2;
}

static void Latency(string? postgres)
{
    const int ClaimsPerWorker = 300, Warmup = 20;
    Console.WriteLine($"Claim + finish round trip per trial, {ClaimsPerWorker} per worker process (the first {Warmup} of each left out), all workers on one study.");
    Console.WriteLine();
    Console.WriteLine("| store | workers | median | p95 | mean | trials/s (all workers) |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    foreach (var workers in new[] { 1, 2, 4 })
    {
        using (var folder = new TempFolder())
            LatencyRow("SQLite", "sqlite:" + Path.Combine(folder.Path, "sweep.db"), workers, ClaimsPerWorker, Warmup);
        if (postgres is not null)
        {
            var schema = "bench_" + Guid.NewGuid().ToString("N");
            Sql(postgres, $"CREATE SCHEMA {schema}");
            try
            {
                LatencyRow("PostgreSQL", "postgres:" + new NpgsqlConnectionStringBuilder(postgres) { SearchPath = schema }, workers, ClaimsPerWorker, Warmup);
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                Sql(postgres, $"DROP SCHEMA {schema} CASCADE");
            }
        }
    }
}

static void LatencyRow(string name, string storage, int workers, int claimsPerWorker, int warmup)
{
    using (var store = StudyStore.Open(storage))
        store.CreateOrOpenStudy(BenchmarkStudy()); // the schema and the study exist before the workers start
    var children = Enumerable.Range(0, workers).Select(i =>
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in new[] { typeof(TempFolder).Assembly.Location, "claim-loop", storage, (claimsPerWorker * workers).ToString(CultureInfo.InvariantCulture), $"w{i}" })
            start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }).ToList();
    foreach (var child in children)
    {
        if (child.StandardOutput.ReadLine() != "ready")
            throw new InvalidOperationException("a claim-loop worker did not start");
    }
    var clock = Stopwatch.StartNew();
    foreach (var child in children)
        child.StandardInput.WriteLine("go"); // all start claiming at once
    var outputs = children.Select(c => c.StandardOutput.ReadToEndAsync()).ToList();
    children.ForEach(c => c.WaitForExit());
    var wall = clock.Elapsed;
    var latencies = outputs.SelectMany(o => o.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(warmup)
        .Select(l => double.Parse(l, CultureInfo.InvariantCulture))).Order().ToArray();
    var trials = outputs.Sum(o => o.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {workers} | {latencies[latencies.Length / 2]:F2} ms | {latencies[(int)(latencies.Length * 0.95)]:F2} ms | {latencies.Average():F2} ms | {trials / wall.TotalSeconds:F0} |"));
    children.ForEach(c => c.Dispose());
}

static void ClaimLoop(string storage, int trials, string worker)
{
    using var store = StudyStore.Open(storage);
    var study = store.CreateOrOpenStudy(BenchmarkStudy());
    Console.WriteLine("ready");
    Console.ReadLine();
    var result = new TrialResult(TrialStatus.Complete, 0.5, 0.01, [0.49, 0.5, 0.51], 3, TimeSpan.FromSeconds(1), null);
    var latencies = new List<double>();
    var clock = new Stopwatch();
    while (true)
    {
        clock.Restart();
        var claim = store.TryClaim(study.Id, worker, trials, n => new TrialSpec($$"""{"x":{{n}}}""", n, "bench", "data"));
        if (claim is null)
            break;
        store.Finish(study.Id, claim.Number, worker, result);
        latencies.Add(clock.Elapsed.TotalMilliseconds);
    }
    foreach (var latency in latencies)
        Console.WriteLine(latency.ToString("R", CultureInfo.InvariantCulture));
}

static StudyDefinition BenchmarkStudy() => new("latency", """{"x":{"kind":"grid"}}""", "x", "data", "Loss", false, """{"kind":"grid"}""", 1, "bench");

static void Overhead(string? postgres)
{
    TorchSharp.torch.set_num_threads(1);
    var ml = new MLContext(1);
    var penguins = new SweepObjective<AdamWMulticlassTrainer.Options>(ml, ml.Data.LoadFromEnumerable(Datasets.Penguins()),
        SweepMetric.Parse("macro-accuracy", TrainingTask.MulticlassClassification),
        Featurization.PenguinFeatures(ml).Append(ml.Transforms.Conversion.MapValueToKey("Label", nameof(Penguin.Species))), SweepEvaluation.Holdout(0.3));
    var allDigits = Datasets.Digits();
    SweepObjective<AdamWMulticlassTrainer.Options> Digits(int count) => new(ml, ml.Data.LoadFromEnumerable(allDigits.Take(count)),
        SweepMetric.Parse("macro-accuracy", TrainingTask.MulticlassClassification),
        ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.CopyColumns("Features", nameof(Digit.Pixels))), SweepEvaluation.Holdout(0.3));
    var digits = Digits(2000);
    var moreDigits = Digits(10_000);
    SearchSpace<AdamWMulticlassTrainer.Options> Space(int hidden, int epochs) => new SearchSpace<AdamWMulticlassTrainer.Options>(() => new()
    {
        Network = new MlpNetworkOptions { HiddenLayers = [hidden] },
        NumberOfEpochs = epochs,
        BatchSize = 32,
        NumberOfThreads = 1,
    }).Grid(o => o.LearningRate, 1e-3, 1e-2).Grid(o => o.WeightDecay, 0.0, 0.1);

    Console.WriteLine("A 2 × 2 grid (learning rate × weight decay), one worker, libtorch on one thread, holdout 0.3, the heartbeat every 5 s;");
    Console.WriteLine("overhead = (wall time of Study.Run − Σ own fit time) / trials, the store calls made during a fit (one report per epoch, heartbeats) counted as overhead.");
    Console.WriteLine();
    Console.WriteLine("| data, network | store | trials | own fit per trial | store time per trial | engine overhead per trial | overhead / fit |");
    Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
    var folder = new TempFolder();
    string? schema = null;
    string? connection = null;
    if (postgres is not null)
    {
        schema = "bench_" + Guid.NewGuid().ToString("N");
        Sql(postgres, $"CREATE SCHEMA {schema}");
        connection = new NpgsqlConnectionStringBuilder(postgres) { SearchPath = schema }.ToString();
    }
    var stores = new List<(string Name, Func<IStudyStore> Open)>
    {
        ("in-memory", () => new InMemoryStudyStore()),
        ("SQLite", () => new SqliteStudyStore(Path.Combine(folder.Path, "sweep.db"))),
    };
    if (connection is not null)
        stores.Add(("PostgreSQL", () => new PostgresStudyStore(connection)));

    Row("(warm-up)", "in-memory", () => new InMemoryStudyStore(), "warm-up", penguins, Space(16, 10));
    foreach (var (name, open) in stores)
        Row("penguins (344 rows), MLP 16, 10 epochs", name, open, "penguins", penguins, Space(16, 10));
    foreach (var (name, open) in stores)
        Row("2,000 MNIST digits, MLP 128, 5 epochs", name, open, "digits", digits, Space(128, 5));
    foreach (var (name, open) in stores)
        Row("10,000 MNIST digits, MLP 128, 10 epochs", name, open, "more-digits", moreDigits, Space(128, 10));
    folder.Dispose();
    if (schema is not null)
    {
        NpgsqlConnection.ClearAllPools();
        Sql(postgres!, $"DROP SCHEMA {schema} CASCADE");
    }

    static void Row(string data, string name, Func<IStudyStore> open, string studyName, SweepObjective<AdamWMulticlassTrainer.Options> objective,
        SearchSpace<AdamWMulticlassTrainer.Options> space)
    {
        using var store = new TimedStore(open());
        var study = Study.CreateOrOpen(store, studyName, space, objective, SweepStrategy.Grid(), seed: 5);
        var clock = Stopwatch.StartNew();
        var ran = study.Run(4, new StudyRunOptions { Worker = "bench" });
        var wall = clock.Elapsed;
        // The trials' fit times include the store calls made while they train (reports, heartbeats): move them to the overhead.
        var fit = TimeSpan.FromTicks(study.GetResult().Trials.Sum(t => t.Record.Result!.FitTime.Ticks)) - store.InsideFit;
        var overhead = (wall - fit) / ran;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {data} | {name} | {ran} | {fit.TotalMilliseconds / ran:F0} ms | {store.Total.TotalMilliseconds / ran:F2} ms ({(double)store.Calls / ran:F1} calls) | {overhead.TotalMilliseconds:F2} ms | {100 * overhead / (fit / ran):F2}% |"));
    }
}

static void Sql(string connectionString, string sql)
{
    using var connection = new NpgsqlConnection(connectionString);
    connection.Open();
    using var command = new NpgsqlCommand(sql, connection);
    command.ExecuteNonQuery();
}

/// <summary>A temporary folder, deleted at the end.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnet-adamw-bench-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
