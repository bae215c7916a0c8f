using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.AdamW;

/// <summary>
/// Builds ML.NET's own prediction transformers around our models (their constructors are
/// internal; see Internal/MLNetInternals.cs), so that scoring, evaluation, save/load and
/// annotations are exactly those of the built-in trainers.
/// </summary>
internal static class PredictionTransformers
{
    public static BinaryPredictionTransformer<AdamWBinaryModelParameters> Binary(
        IHostEnvironment env, AdamWBinaryModelParameters model, DataViewSchema trainSchema, string featureColumn, string labelColumn) =>
        new(env, model, trainSchema, featureColumn, labelColumn);

    public static MulticlassPredictionTransformer<AdamWMulticlassModelParameters> Multiclass(
        IHostEnvironment env, AdamWMulticlassModelParameters model, DataViewSchema trainSchema, string featureColumn, string labelColumn) =>
        new(env, model, trainSchema, featureColumn, labelColumn);

    public static RegressionPredictionTransformer<AdamWRegressionModelParameters> Regression(
        IHostEnvironment env, AdamWRegressionModelParameters model, DataViewSchema trainSchema, string featureColumn) =>
        new(env, model, trainSchema, featureColumn);
}
