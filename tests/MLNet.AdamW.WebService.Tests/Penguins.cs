using System.Globalization;
using System.Net.Http.Json;
using Microsoft.ML;
using MLNet.AdamW.Samples;
using WebService;

namespace MLNet.AdamW.WebService.Tests;

/// <summary>Request bodies from the shipped penguins, and the reference: the saved model scored on one thread.</summary>
internal static class Penguins
{
    /// <summary>The shipped penguins whose four measurements are all known (342 of 344).</summary>
    public static IReadOnlyList<PenguinFeatures> Measured() => Datasets.Penguins()
        .Where(p => float.IsFinite(p.BeakLength) && float.IsFinite(p.BeakDepth) && float.IsFinite(p.FlipperLength) && float.IsFinite(p.BodyMass))
        .Select(p => new PenguinFeatures { Island = p.Island, BeakLength = p.BeakLength, BeakDepth = p.BeakDepth, FlipperLength = p.FlipperLength, BodyMass = p.BodyMass })
        .ToList();

    /// <summary>The JSON a client sends for one penguin (camelCase, as the service reads it).</summary>
    public static Dictionary<string, object> Body(PenguinFeatures p) => new()
    {
        ["island"] = p.Island, ["beakLength"] = p.BeakLength, ["beakDepth"] = p.BeakDepth, ["flipperLength"] = p.FlipperLength, ["bodyMass"] = p.BodyMass,
    };

    /// <summary>What one PredictionEngine over the model file, used on this thread alone, predicts for each penguin.</summary>
    public static List<Answer> Reference(string modelPath, IEnumerable<PenguinFeatures> penguins)
    {
        var ml = new MLContext();
        var model = ml.Model.Load(modelPath, out _);
        using var engine = ml.Model.CreatePredictionEngine<PenguinFeatures, SpeciesPrediction>(model);
        return penguins.Select(p => engine.Predict(p)).Select(p => new Answer(p.PredictedSpecies, p.Probabilities)).ToList();
    }

    public static HttpContent Json(object body) => JsonContent.Create(body);

    public static StringContent Raw(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One answer: the species and the probabilities in the order of the model's classes.</summary>
internal sealed record Answer(string Species, float[] Probabilities)
{
    public bool SameAs(Answer other) => Species == other.Species && Probabilities.AsSpan().SequenceEqual(other.Probabilities);
}

/// <summary>The service's JSON answer for one penguin.</summary>
internal sealed record PredictionJson(string Species, Dictionary<string, float> Probabilities)
{
    public Answer ToAnswer(IReadOnlyList<string> classes) => new(Species, classes.Select(c => Probabilities[c]).ToArray());
}
