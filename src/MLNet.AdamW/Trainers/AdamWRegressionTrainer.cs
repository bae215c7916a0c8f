using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MLNet.AdamW.Data;
using MLNet.AdamW.Model;

namespace MLNet.AdamW;

/// <summary>
/// Trains a neural network for regression with Adam or SGD and a chosen weight-decay mode
/// (AdamW by default), inside an ML.NET pipeline.
/// </summary>
/// <remarks>
/// <para>Create it with <c>mlContext.Regression.Trainers.AdamW(...)</c>. Output column, as for ML.NET's
/// built-in regression trainers: <c>Score</c> (Single).</para>
/// <list type="table">
/// <listheader><term>Trainer characteristics</term><description></description></listheader>
/// <item><term>Machine learning task</term><description>Regression</description></item>
/// <item><term>Is normalization required?</term><description>Yes: standardize features (NormalizeMeanVariance); a label on a scale far from 1 trains faster standardized too</description></item>
/// <item><term>Is caching required?</term><description>No (the data is read into memory once)</description></item>
/// <item><term>Required NuGet in addition to Microsoft.ML</term><description>MLNet.AdamW, TorchSharp and a native backend (TorchSharp-cpu)</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes (<c>ml.Model.ConvertToOnnx</c>, Microsoft.ML.OnnxConverter)</description></item>
/// </list>
/// <para>Loss: mean squared error, weighted by the example weights.</para>
/// </remarks>
public sealed class AdamWRegressionTrainer : AdamWTrainerBase<RegressionPredictionTransformer<AdamWRegressionModelParameters>, AdamWRegressionModelParameters>
{
    internal const string LoadName = "MLNetAdamWRegressionTrainer";

    /// <summary>Options of <see cref="AdamWRegressionTrainer"/>; the label column holds Single values.</summary>
    public sealed class Options : AdamWTrainerOptions
    {
    }

    internal AdamWRegressionTrainer(IHostEnvironment env, Options options)
        : base(env, LoadName, options, TrainerUtils.MakeR4ScalarColumn(Validated(options).LabelColumnName))
    {
    }

    /// <inheritdoc />
    private protected override PredictionKind PredictionKind => PredictionKind.Regression;

    private protected override LabelKind LabelKind => LabelKind.Regression;

    private protected override byte TaskCode => 2;

    private protected override AdamWRegressionModelParameters CreateModel(ModelContent content) => new(Host, content);

    /// <inheritdoc />
    private protected override void CheckLabelCompatible(SchemaShape.Column labelCol)
    {
        if (!LabelColumn.IsCompatibleWith(labelCol))
            throw new ArgumentOutOfRangeException(nameof(labelCol),
                $"Schema mismatch for label column '{LabelColumn.Name}': expected Single, got {labelCol.GetTypeString()}. " +
                $"Convert it with mlContext.Transforms.Conversion.ConvertType(\"{LabelColumn.Name}\", outputKind: DataKind.Single).");
    }

    /// <inheritdoc />
    private protected override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema) =>
    [
        new(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
    ];

    /// <inheritdoc />
    private protected override RegressionPredictionTransformer<AdamWRegressionModelParameters> MakeTransformer(AdamWRegressionModelParameters model, DataViewSchema trainSchema) =>
        PredictionTransformers.Regression(Host, model, trainSchema, FeatureColumn.Name);
}
