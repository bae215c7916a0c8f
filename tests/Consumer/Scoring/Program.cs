// Loads the Training app's model.zip and predicts the penguins of expected.tsv, one at a time with
// a PredictionEngine, as a served app would. Passes (exit code 0) only if every score and
// probability equals the training app's exactly, and no libtorch library was loaded or is present.
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Scoring <model.zip> <expected.tsv>");
    return 2;
}
var watch = Stopwatch.StartNew();
var ml = new MLContext();
var model = ml.Model.Load(args[0], out _);
using var engine = ml.Model.CreatePredictionEngine<PenguinMeasurements, PenguinPrediction>(model);

var failures = new List<string>();
var rows = 0;
foreach (var line in File.ReadLines(args[1]).Skip(1))
{
    var v = line.Split('\t').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    var prediction = engine.Predict(new PenguinMeasurements { BeakLength = v[0], BeakDepth = v[1], FlipperLength = v[2], BodyMass = v[3] });
    if (prediction.Score != v[4] || prediction.Probability != v[5] || prediction.PredictedLabel != (v[4] > 0))
        failures.Add(FormattableString.Invariant($"row {rows + 1}: score {prediction.Score:R}, probability {prediction.Probability:R}; the training app had {v[4]:R}, {v[5]:R}"));
    rows++;
}
watch.Stop();
Console.WriteLine(FormattableString.Invariant($"Loaded the model and predicted {rows} penguins in {watch.Elapsed.TotalSeconds:F2} s: {rows - failures.Count} identical to the training app's scores."));
if (rows == 0)
    failures.Add("expected.tsv has no rows");

if (OperatingSystem.IsLinux())
{
    var torch = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(f => f.Length >= 6 && (f[5].Contains("/libtorch", StringComparison.Ordinal) || f[5].EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal)))
        .Select(f => f[5]).Distinct().ToList();
    if (torch.Count > 0)
        failures.Add("scoring loaded native libtorch: " + string.Join(", ", torch));
}
var shipped = Directory.EnumerateFiles(AppContext.BaseDirectory, "libtorch*", SearchOption.AllDirectories).ToList();
if (shipped.Count > 0)
    failures.Add($"the app folder holds libtorch ({shipped.Count} files, e.g. {shipped[0]}); a scoring-only app should not");

// What needs libtorch says so plainly in an app without a backend package (after the checks above:
// the failed load maps nothing).
try
{
    using var module = model.GetAdamWModel<AdamWBinaryModelParameters>().CreateTorchModule();
    failures.Add("CreateTorchModule worked in an app without a TorchSharp backend package");
}
catch (InvalidOperationException e) when (e.Message.Contains("TorchSharp-cpu", StringComparison.Ordinal))
{
    Console.WriteLine("CreateTorchModule without a backend package: " + e.Message.Split(". ")[0] + ".");
}

foreach (var failure in failures)
    Console.Error.WriteLine($"FAILED: {failure}");
return failures.Count == 0 ? 0 : 1;

internal sealed class PenguinMeasurements
{
    public float BeakLength { get; set; }
    public float BeakDepth { get; set; }
    public float FlipperLength { get; set; }
    public float BodyMass { get; set; }
}

internal sealed class PenguinPrediction
{
    public float Score { get; set; }
    public float Probability { get; set; }
    public bool PredictedLabel { get; set; }
}
