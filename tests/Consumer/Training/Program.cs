// Trains the README's pipeline on penguins, saves model.zip and the scores it gives a held-out set
// (expected.tsv), and checks what a user would: the model is good, it survives save and load, and
// TorchSharp's native library was loaded from this app's own folder (so the package's fix worked
// and TorchSharp's fallback copy into cpu/ never ran). Exit code 0 only if all of that holds.
using System.Globalization;
using Consumer;
using Microsoft.ML;
using Microsoft.ML.Data;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Training <penguins.json> <output folder>");
    return 2;
}
var outputFolder = Directory.CreateDirectory(args[1]).FullName;
TorchSharp.torch.set_num_threads(1);

var penguins = PenguinPipeline.Read(args[0]);
var ml = new MLContext(seed: 1);
var (trainRows, testRows) = PenguinPipeline.Split(penguins);
var train = ml.Data.LoadFromEnumerable(trainRows);
var test = ml.Data.LoadFromEnumerable(testRows);

var model = PenguinPipeline.Create(ml).Fit(train);
var metrics = ml.BinaryClassification.Evaluate(model.Transform(test), labelColumnName: "IsMale");
Console.WriteLine(FormattableString.Invariant($"Trained on {trainRows.Count} penguins; on {testRows.Count} others: accuracy {metrics.Accuracy:P1}, AUC {metrics.AreaUnderRocCurve:F3}."));

var failures = new List<string>();
if (metrics.Accuracy < 0.8 || metrics.AreaUnderRocCurve < 0.85)
    failures.Add(FormattableString.Invariant($"the model is worse than the floor (accuracy {metrics.Accuracy:P1} < 80 % or AUC {metrics.AreaUnderRocCurve:F3} < 0.85)"));

var modelPath = Path.Combine(outputFolder, "model.zip");
ml.Model.Save(model, train.Schema, modelPath);
var scores = Scores(model.Transform(test));
var reloaded = Scores(new MLContext().Model.Load(modelPath, out _).Transform(test));
if (!scores.SequenceEqual(reloaded))
    failures.Add("the reloaded model scores differently");

using (var writer = new StreamWriter(Path.Combine(outputFolder, "expected.tsv")))
{
    writer.WriteLine("BeakLength\tBeakDepth\tFlipperLength\tBodyMass\tScore\tProbability");
    for (var i = 0; i < testRows.Count; i++)
    {
        var p = testRows[i];
        writer.WriteLine(string.Join('\t', new[] { p.BeakLength, p.BeakDepth, p.FlipperLength, p.BodyMass, scores[i].Score, scores[i].Probability }
            .Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
    }
}
Console.WriteLine($"Saved {modelPath} ({new FileInfo(modelPath).Length / 1024} KB) and the scores of {testRows.Count} penguins.");

if (OperatingSystem.IsLinux())
{
    var native = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Where(f => f.Length >= 6 && f[5].EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal)).Select(f => f[5]).FirstOrDefault();
    Console.WriteLine($"TorchSharp's native library: {native ?? "not loaded"}");
    if (native is null || !native.StartsWith(AppContext.BaseDirectory, StringComparison.Ordinal))
        failures.Add("libLibTorchSharp.so was not loaded from the app's folder");
}
if (Directory.Exists(Path.Combine(AppContext.BaseDirectory, "cpu")))
    failures.Add("TorchSharp's fallback copied native libraries into cpu/");

foreach (var failure in failures)
    Console.Error.WriteLine($"FAILED: {failure}");
return failures.Count == 0 ? 0 : 1;

static List<(float Score, float Probability)> Scores(IDataView scored) =>
    [.. scored.GetColumn<float>("Score").Zip(scored.GetColumn<float>("Probability"))];
