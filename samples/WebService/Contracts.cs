using Microsoft.ML.Data;

namespace WebService;

/// <summary>What the model reads: the island and four measurements of one penguin (the PredictionEngine's input).</summary>
internal sealed class PenguinFeatures
{
    public string Island { get; set; } = "";

    public float BeakLength { get; set; }

    public float BeakDepth { get; set; }

    public float FlipperLength { get; set; }

    public float BodyMass { get; set; }
}

/// <summary>What the model writes (the PredictionEngine's output).</summary>
internal sealed class SpeciesPrediction
{
    public string PredictedSpecies { get; set; } = "";

    /// <summary>The probability of each species, in the order of the label's key values.</summary>
    [ColumnName("Score")]
    public float[] Probabilities { get; set; } = [];
}

/// <summary>The answer for one penguin.</summary>
/// <param name="Species">The most probable species.</param>
/// <param name="Probabilities">Each species' probability.</param>
internal sealed record PredictionResponse(string Species, IReadOnlyDictionary<string, float> Probabilities);

/// <summary>The training history in brief.</summary>
internal sealed record HistorySummary(
    int Epochs, int ModelEpoch, int? BestEpoch, bool StoppedEarly, double FinalTrainLoss, double? FinalValidationLoss,
    double? FinalValidationAccuracy, double TrainingSeconds);

/// <summary>GET /model: what is served.</summary>
internal sealed record ModelDescription(
    string Task, IReadOnlyList<string> Classes, IReadOnlyList<string> Inputs, string Network, string Optimizer,
    HistorySummary History, string Source, long FileBytes);
