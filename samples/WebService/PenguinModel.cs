using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW;
using MLNet.AdamW.Samples;

namespace WebService;

/// <summary>
/// The served model: a penguin-species pipeline loaded from a model.zip (trained on the shipped
/// penguins and saved there first if the file does not exist), its classes and its description.
/// </summary>
/// <remarks>The transformer is thread-safe; a <see cref="PredictionEngine{TSrc,TDst}"/> is not, so each
/// request takes one from a pool (<see cref="CreateEngine"/> fills it).</remarks>
internal sealed partial class PenguinModel
{
    private static readonly string[] Measurements =
        [nameof(PenguinFeatures.BeakLength), nameof(PenguinFeatures.BeakDepth), nameof(PenguinFeatures.FlipperLength), nameof(PenguinFeatures.BodyMass)];

    private readonly MLContext _context;
    private readonly ITransformer _transformer;

    private PenguinModel(MLContext context, ITransformer transformer, string source, long fileBytes)
    {
        _context = context;
        _transformer = transformer;
        var network = FindNetwork(transformer) ?? throw new InvalidOperationException(
            $"The model in {source} has no AdamW multiclass network; this service serves penguin-species models trained with MLNet.AdamW.");
        using var engine = CreateEngine();
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        engine.OutputSchema["Score"].GetSlotNames(ref slotNames);
        Classes = slotNames.DenseValues().Select(s => s.ToString()).ToArray();
        if (Classes.Count != network.ClassCount)
            throw new InvalidOperationException($"The model in {source} names {Classes.Count} classes for a network of {network.ClassCount}.");
        var epochs = network.History.Epochs;
        var last = epochs.Count > 0 ? epochs[^1] : null;
        Description = new ModelDescription(
            Task: "multiclass classification (penguin species)",
            Classes: Classes,
            Inputs: [nameof(PenguinFeatures.Island), .. Measurements],
            Network: network.NetworkDescription,
            Optimizer: network.OptimizerDescription,
            History: new HistorySummary(epochs.Count, network.History.ModelEpoch, network.History.BestEpoch, network.History.StoppedEarly,
                last?.TrainLoss ?? double.NaN, last?.ValidationLoss, last?.ValidationAccuracy,
                Math.Round(epochs.Sum(e => e.Duration.TotalSeconds), 3)),
            Source: source,
            FileBytes: fileBytes);
    }

    /// <summary>The species, in the order of the model's probabilities.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>What GET /model returns.</summary>
    public ModelDescription Description { get; }

    /// <summary>Loads the model at <paramref name="path"/>; trains and saves one there first if there is none.</summary>
    /// <param name="configured">The path as configured, for the description.</param>
    /// <param name="path">The full path.</param>
    /// <param name="logger">Says what was loaded or trained.</param>
    public static PenguinModel LoadOrTrain(string configured, string path, ILogger logger)
    {
        var source = configured;
        if (!File.Exists(path))
        {
            LogTraining(logger, path);
            Train(path, logger);
            source = $"{configured} (trained at start-up on the shipped penguins)";
        }
        var context = new MLContext();
        ITransformer transformer;
        using (var stream = File.OpenRead(path))
            transformer = context.Model.Load(stream, out _);
        var model = new PenguinModel(context, transformer, source, new FileInfo(path).Length);
        LogServing(logger, model.Description.Network, path, model.Classes);
        return model;
    }

    /// <summary>A new engine over the shared transformer, for the pool.</summary>
    public PredictionEngine<PenguinFeatures, SpeciesPrediction> CreateEngine() =>
        _context.Model.CreatePredictionEngine<PenguinFeatures, SpeciesPrediction>(_transformer);

    /// <summary>The response for one prediction.</summary>
    public PredictionResponse ToResponse(SpeciesPrediction prediction)
    {
        var probabilities = new Dictionary<string, float>(Classes.Count);
        for (var i = 0; i < Classes.Count; i++)
            probabilities[Classes[i]] = prediction.Probabilities[i];
        return new PredictionResponse(prediction.PredictedSpecies, probabilities);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No model at {Path}: training one on the shipped penguins.")]
    private static partial void LogTraining(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Trained and saved {Path} ({Bytes} bytes).")]
    private static partial void LogSaved(ILogger logger, string path, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Network} from {Path}; classes {Classes}.")]
    private static partial void LogServing(ILogger logger, string network, string path, IReadOnlyList<string> classes);

    private static AdamWMulticlassModelParameters? FindNetwork(ITransformer transformer) => transformer switch
    {
        IPredictionTransformer<AdamWMulticlassModelParameters> trainer => trainer.Model,
        IEnumerable<ITransformer> chain => chain.Select(FindNetwork).FirstOrDefault(m => m is not null),
        _ => null,
    };

    /// <summary>
    /// The QuickStart's pipeline on all 344 penguins, saved without its label mapping, so that the
    /// saved model reads only what <see cref="PenguinFeatures"/> holds.
    /// </summary>
    private static void Train(string path, ILogger logger)
    {
        var ml = new MLContext(seed: 1);
        var penguins = ml.Data.LoadFromEnumerable(Datasets.Penguins());
        var labelled = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Penguin.Species)).Fit(penguins).Transform(penguins);
        var pipeline = ml.Transforms.ReplaceMissingValues(Measurements.Select(c => new InputOutputColumnPair(c)).ToArray())
            .Append(ml.Transforms.Categorical.OneHotEncoding("IslandOneHot", nameof(PenguinFeatures.Island)))
            .Append(ml.Transforms.Concatenate("Features", [.. Measurements, "IslandOneHot"]))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.MulticlassClassification.Trainers.AdamW(new AdamWMulticlassTrainer.Options
            {
                NumberOfEpochs = 30,
                ValidationFraction = 0.2,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue(nameof(SpeciesPrediction.PredictedSpecies), "PredictedLabel"));
        var model = pipeline.Fit(labelled);
        var inputSchema = ml.Data.LoadFromEnumerable(Array.Empty<PenguinFeatures>()).Schema;
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
            Directory.CreateDirectory(directory);
        // Write then rename, so that a crash never leaves half a model for the next start.
        var partial = path + ".partial";
        ml.Model.Save(model, inputSchema, partial);
        File.Move(partial, path, overwrite: true);
        var bytes = new FileInfo(path).Length;
        LogSaved(logger, path, bytes);
    }
}
