using System.Globalization;
using System.Text.Json;

namespace MLNet.AdamW.Diagnostics;

/// <summary>The JSON form of <see cref="GradientScaleDiagnostics"/> (layout in its remarks), written and read without reflection.</summary>
internal static class GradientScaleJson
{
    public const string Format = "mlnet-adamw.gradient-scale.v1";

    private static readonly string[] HistogramNames = ["gradient", "update", "weight"];

    public static void Write(GradientScaleDiagnostics diagnostics, Stream stream, bool indented)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented });
        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteNumber("minExponent", Log2Histogram.MinExponent);
        json.WriteNumber("maxExponent", Log2Histogram.MaxExponent);
        json.WriteStartArray("snapshots");
        foreach (var s in diagnostics.Snapshots)
        {
            json.WriteStartObject();
            json.WriteNumber("step", s.Step);
            json.WriteNumber("epoch", s.Epoch);
            json.WriteNumber("minibatch", s.Minibatch);
            Number(json, "learningRate", s.LearningRate);
            Number(json, "gradientP10", s.GradientPercentile10);
            Number(json, "gradientP90", s.GradientPercentile90);
            Number(json, "gradientPercentileSpread", s.GradientPercentileSpread);
            Number(json, "layerRmsSpread", s.LayerRmsSpread);
            json.WritePropertyName("all");
            WriteLayer(json, s.All);
            json.WriteStartArray("layers");
            foreach (var layer in s.Layers)
                WriteLayer(json, layer);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteLayer(Utf8JsonWriter json, LayerGradientScale layer)
    {
        json.WriteStartObject();
        json.WriteString("name", layer.Name);
        json.WriteNumber("coordinates", layer.Coordinates);
        Number(json, "gradientRms", layer.GradientRms);
        Number(json, "updateRms", layer.UpdateRms);
        Number(json, "weightRms", layer.WeightRms);
        Counts(json, "gradient", layer.Gradient);
        Counts(json, "update", layer.Update);
        Counts(json, "weight", layer.Weight);
        json.WriteEndObject();
    }

    private static void Counts(Utf8JsonWriter json, string name, Log2Histogram histogram)
    {
        json.WriteStartArray(name);
        foreach (var count in histogram.Counts)
            json.WriteNumberValue(count);
        json.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
            json.WriteNumber(name, value);
        else
            json.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
    }

    public static GradientScaleDiagnostics Read(Stream stream)
    {
        try
        {
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String
                || format.GetString() != Format)
                throw new InvalidDataException($"Not gradient-scale diagnostics: the JSON's \"format\" must be \"{Format}\".");
            if (Int(root, "minExponent") != Log2Histogram.MinExponent || Int(root, "maxExponent") != Log2Histogram.MaxExponent)
                throw new InvalidDataException($"The diagnostics' buckets must run from {Log2Histogram.MinExponent} to {Log2Histogram.MaxExponent}.");
            var snapshots = new List<GradientScaleSnapshot>();
            foreach (var s in Property(root, "snapshots").EnumerateArray())
            {
                var layers = Property(s, "layers").EnumerateArray().Select(ReadLayer).ToArray();
                snapshots.Add(new GradientScaleSnapshot(Long(s, "step"), Int(s, "epoch"), Int(s, "minibatch"), Double(s, "learningRate"),
                    ReadLayer(Property(s, "all")), layers, Double(s, "gradientP10"), Double(s, "gradientP90"), Double(s, "layerRmsSpread")));
            }
            return new GradientScaleDiagnostics(snapshots);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new InvalidDataException($"The gradient-scale diagnostics JSON is malformed: {e.Message}", e);
        }
    }

    private static LayerGradientScale ReadLayer(JsonElement layer)
    {
        var name = Property(layer, "name").GetString() ?? throw new InvalidDataException("A layer's \"name\" is null.");
        var coordinates = Long(layer, "coordinates");
        var histograms = HistogramNames.Select(h => Histogram(layer, h)).ToArray();
        if (histograms.Any(h => h.Total != coordinates))
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"Layer '{name}' has {coordinates} coordinates but its histograms count {string.Join(", ", histograms.Select(h => h.Total))}."));
        return new(name, coordinates, histograms[0], histograms[1], histograms[2],
            Double(layer, "gradientRms"), Double(layer, "updateRms"), Double(layer, "weightRms"));
    }

    private static Log2Histogram Histogram(JsonElement layer, string name) =>
        new(Property(layer, name).EnumerateArray().Select(c => c.GetInt64()).ToArray());

    private static JsonElement Property(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value : throw new InvalidDataException($"A \"{name}\" is missing.");

    private static int Int(JsonElement element, string name) => Property(element, name).GetInt32();

    private static long Long(JsonElement element, string name) => Property(element, name).GetInt64();

    private static double Double(JsonElement element, string name)
    {
        var value = Property(element, name);
        return value.ValueKind == JsonValueKind.String
            ? double.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
            : value.GetDouble();
    }
}
