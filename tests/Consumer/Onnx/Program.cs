// Loads the Training app's model.zip, exports it with ml.Model.ConvertToOnnx, runs the .onnx file
// with ONNX Runtime and compares Score, Probability and PredictedLabel with the training app's
// scores (expected.tsv). Exit code 0 only if every row agrees within 1e-5 and the predicted labels
// are equal.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Onnx <model.zip> <expected.tsv> <model.onnx>");
    return 2;
}
var rows = File.ReadLines(args[1]).Skip(1)
    .Select(line => line.Split('\t').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray()).ToList();
var ml = new MLContext();
var model = ml.Model.Load(args[0], out _);
var data = ml.Data.LoadFromEnumerable(rows.Select(v => new PenguinMeasurements
{
    BeakLength = v[0], BeakDepth = v[1], FlipperLength = v[2], BodyMass = v[3],
}));
using (var file = File.Create(args[2]))
    ml.Model.ConvertToOnnx(model, data, file);

string[] inputs = ["BeakLength", "BeakDepth", "FlipperLength", "BodyMass"];
using var session = new InferenceSession(args[2]);
var feeds = inputs.Select((name, column) => NamedOnnxValue.CreateFromTensor(name,
    new DenseTensor<float>(rows.Select(v => v[column]).ToArray(), [rows.Count, 1]))).ToList();
using var results = session.Run(feeds);
float[] Output(string column) => [.. results.Single(r => r.Name == column + ".output").AsEnumerable<float>()];
bool[] labels = [.. results.Single(r => r.Name == "PredictedLabel.output").AsEnumerable<bool>()];
var scores = Output("Score");
var probabilities = Output("Probability");

var failures = new List<string>();
if (scores.Length != rows.Count || probabilities.Length != rows.Count || labels.Length != rows.Count)
    failures.Add($"ONNX Runtime returned {scores.Length} scores, {probabilities.Length} probabilities and {labels.Length} labels for {rows.Count} rows");
else
    for (var i = 0; i < rows.Count; i++)
        if (Math.Abs(scores[i] - rows[i][4]) > 1e-5 * Math.Max(1, Math.Abs(rows[i][4])) || Math.Abs(probabilities[i] - rows[i][5]) > 1e-5
            || labels[i] != (rows[i][4] > 0))
            failures.Add(FormattableString.Invariant($"row {i + 1}: ONNX score {scores[i]:R}, probability {probabilities[i]:R}, label {labels[i]}; ML.NET {rows[i][4]:R}, {rows[i][5]:R}"));
Console.WriteLine($"Exported {new FileInfo(args[2]).Length / 1024} KB of ONNX; ONNX Runtime scored {rows.Count} penguins, {rows.Count - failures.Count} agreeing with ML.NET within 1e-5.");
foreach (var failure in failures.Take(10))
    Console.Error.WriteLine($"FAILED: {failure}");
return failures.Count == 0 && rows.Count > 0 ? 0 : 1;

internal sealed class PenguinMeasurements
{
    public float BeakLength { get; set; }
    public float BeakDepth { get; set; }
    public float FlipperLength { get; set; }
    public float BodyMass { get; set; }
}
