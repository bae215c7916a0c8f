using System.Text.Json;
using Microsoft.ML;
using MLNet.AdamW;

namespace Consumer;

/// <summary>One penguin of penguins.json (the repository's samples/Data, copied beside the app).</summary>
public sealed class Penguin
{
    public float BeakLength { get; set; }
    public float BeakDepth { get; set; }
    public float FlipperLength { get; set; }
    public float BodyMass { get; set; }
    public bool IsMale { get; set; }
}

public static class PenguinPipeline
{
    /// <summary>The README's pipeline, as a user would copy it.</summary>
    public static IEstimator<ITransformer> Create(MLContext ml) =>
        ml.Transforms.Concatenate("Features", "BeakLength", "BeakDepth", "FlipperLength", "BodyMass")
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.BinaryClassification.Trainers.AdamW(labelColumnName: "IsMale", featureColumnName: "Features",
                learningRate: 1e-2, weightDecay: 1e-2, weightDecayMode: WeightDecayMode.Decoupled, numberOfEpochs: 50));

    /// <summary>Every fourth penguin to test, the others to train.</summary>
    public static (List<Penguin> Train, List<Penguin> Test) Split(List<Penguin> penguins) =>
        ([.. penguins.Where((_, i) => i % 4 != 0)], [.. penguins.Where((_, i) => i % 4 == 0)]);

    /// <summary>The penguins whose four measurements and sex are all known.</summary>
    public static List<Penguin> Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var penguins = new List<Penguin>();
        foreach (var e in document.RootElement.EnumerateArray())
        {
            if (!e.TryGetProperty("Sex", out var sex) || sex.ValueKind != JsonValueKind.String)
                continue;
            float[] values = [Number(e, "Beak Length (mm)"), Number(e, "Beak Depth (mm)"), Number(e, "Flipper Length (mm)"), Number(e, "Body Mass (g)")];
            if (values.Any(float.IsNaN))
                continue;
            penguins.Add(new Penguin
            {
                BeakLength = values[0], BeakDepth = values[1], FlipperLength = values[2], BodyMass = values[3],
                IsMale = sex.GetString() == "MALE",
            });
        }
        return penguins;
    }

    private static float Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : float.NaN;
}
