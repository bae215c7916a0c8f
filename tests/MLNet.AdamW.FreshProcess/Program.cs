using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: MLNet.AdamW.FreshProcess <model.zip> <features.txt> <featureCount>
// features.txt: one row per line, values separated by spaces (invariant culture).
// Prints the loaded transformer's type, then each row's Score (a vector is printed space-separated).
if (args.Length != 3 || !int.TryParse(args[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var featureCount) || featureCount <= 0)
{
    Console.Error.WriteLine("usage: MLNet.AdamW.FreshProcess <model.zip> <features.txt> <featureCount>");
    return 2;
}

var ml = new MLContext();
var model = ml.Model.Load(args[0], out _);
Console.WriteLine(model.GetType().FullName);

var rows = File.ReadAllLines(args[1])
    .Where(line => line.Length > 0)
    .Select(line => new FeatureRow { Features = line.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray() })
    .ToList();
var definition = SchemaDefinition.Create(typeof(FeatureRow));
definition[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
var scored = model.Transform(ml.Data.LoadFromEnumerable(rows, definition));
var score = scored.Schema["Score"];
using var cursor = scored.GetRowCursor([score]);
if (score.Type is VectorDataViewType)
{
    var getter = cursor.GetGetter<VBuffer<float>>(score);
    VBuffer<float> value = default;
    while (cursor.MoveNext())
    {
        getter(ref value);
        Console.WriteLine(string.Join(' ', value.DenseValues().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
    }
}
else
{
    var getter = cursor.GetGetter<float>(score);
    float value = default;
    while (cursor.MoveNext())
    {
        getter(ref value);
        Console.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
    }
}
return 0;

internal sealed class FeatureRow
{
    public float[] Features { get; set; } = [];
}
