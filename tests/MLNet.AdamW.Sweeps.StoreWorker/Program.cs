using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNet.AdamW.Sweeps;

// Usage: StoreWorker <storage> <study> <trials> <worker> <epochs> <epoch-ms> <grace-ms>
// Prints "claimed <number> <attempt>", "finished <number> <attempt>" or "lost <number> <attempt>" per
// trial, then "done"; exits 0 when every trial of the study has ended.
// Or: StoreWorker engine <storage> <trials> <worker> <stale-after-ms>: a real sweep (EngineWorker).
if (args.Length == 5 && args[0] == "engine")
    return EngineWorker.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3], TimeSpan.FromMilliseconds(int.Parse(args[4], CultureInfo.InvariantCulture)));
if (args.Length != 7)
{
    Console.Error.WriteLine("usage: StoreWorker <storage> <study> <trials> <worker> <epochs> <epoch-ms> <grace-ms>");
    return 2;
}
var storage = args[0];
var studyName = args[1];
var trials = int.Parse(args[2], CultureInfo.InvariantCulture);
var worker = args[3];
var epochs = int.Parse(args[4], CultureInfo.InvariantCulture);
var epochTime = TimeSpan.FromMilliseconds(int.Parse(args[5], CultureInfo.InvariantCulture));
var grace = TimeSpan.FromMilliseconds(int.Parse(args[6], CultureInfo.InvariantCulture));
// Optuna's rule: heartbeats at a quarter of the grace period keep a live trial far from stale.
var heartbeatEvery = grace / 4;
const int StudySeed = 42;

using var store = StudyStore.Open(storage);
var study = store.CreateOrOpenStudy(new StudyDefinition(
    studyName, """{"x":{"kind":"uniform","low":0,"high":1}}""", "space-x", "data-fake", "Loss", false, """{"kind":"random"}""", StudySeed, "store-worker"));

while (true)
{
    store.RequeueStale(study.Id, grace);
    var claim = store.TryClaim(study.Id, worker, trials, Spec);
    if (claim is null)
    {
        if (store.GetTrials(study.Id).All(t => t.Status is TrialStatus.Complete or TrialStatus.Pruned or TrialStatus.Failed))
            break;
        Thread.Sleep(heartbeatEvery); // another worker runs the rest, or a dead one's trial waits for its grace
        continue;
    }
    Say($"claimed {claim.Number} {claim.Attempt}");
    var clock = Stopwatch.StartNew();
    var x = JsonDocument.Parse(claim.Spec.ParametersJson).RootElement.GetProperty("x").GetDouble();
    var lost = false;
    for (var epoch = 1; epoch <= epochs && !lost; epoch++)
    {
        var epochEnd = clock.Elapsed + epochTime;
        while (!lost && clock.Elapsed < epochEnd)
        {
            Thread.Sleep(Min(heartbeatEvery, epochEnd - clock.Elapsed));
            lost = !store.Heartbeat(study.Id, claim.Number, worker);
        }
        if (!lost)
            store.ReportIntermediate(study.Id, claim.Number, epoch, Loss(x, claim.Spec.Seed, epoch));
    }
    var folds = Enumerable.Range(1, 3).Select(fold => Loss(x, claim.Spec.Seed + fold, epochs)).ToArray();
    var mean = folds.Average();
    var std = Math.Sqrt(folds.Sum(v => (v - mean) * (v - mean)) / folds.Length);
    lost = lost || !store.Finish(study.Id, claim.Number, worker, new TrialResult(TrialStatus.Complete, mean, std, folds, epochs, clock.Elapsed, null));
    Say($"{(lost ? "lost" : "finished")} {claim.Number} {claim.Attempt}");
}
Say("done");
return 0;

// The trial's spec: a pure function of the study seed and the number.
static TrialSpec Spec(int number)
{
    var seed = StudySeed * 1_000_003 + number * 7919;
    var x = new Random(seed).NextDouble();
    return new TrialSpec(JsonSerializer.Serialize(new { x }), seed, "store-worker", "data-fake");
}

// A loss that falls with the epochs and depends on x and the seed only.
static double Loss(double x, int seed, int epoch) => (x - 0.3) * (x - 0.3) + (1.0 / epoch) + new Random(seed).NextDouble() * 1e-3;

static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

static void Say(string line)
{
    Console.Out.WriteLine(line);
    Console.Out.Flush();
}
