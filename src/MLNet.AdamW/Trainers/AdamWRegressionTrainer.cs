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
/// <item><term>Is normalization required?</term><description>Yes: standardize features (NormalizeMeanVariance); the label is standardized inside the trainer (<see cref="Options.StandardizeLabel"/>)</description></item>
/// <item><term>Is caching required?</term><description>No (the data is read into memory once)</description></item>
/// <item><term>Required NuGet in addition to Microsoft.ML</term><description>MLNet.AdamW, TorchSharp and a native backend (TorchSharp-cpu)</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes, every network (<c>ml.Model.ConvertToOnnx</c>, Microsoft.ML.OnnxConverter; opset 9 or later, 11 or later for a ResNet with option-A shortcuts)</description></item>
/// </list>
/// <para>Loss: mean squared error, weighted by the example weights.</para>
/// </remarks>
public sealed class AdamWRegressionTrainer : AdamWTrainerBase<RegressionPredictionTransformer<AdamWRegressionModelParameters>, AdamWRegressionModelParameters>
{
    internal const string LoadName = "MLNetAdamWRegressionTrainer";

    /// <summary>Options of <see cref="AdamWRegressionTrainer"/>; the label column holds Single values.</summary>
    public sealed class Options : AdamWTrainerOptions
    {
        /// <summary>Options with the regression defaults (<see cref="AdamWTrainerDefaults.RegressionNumberOfEpochs"/> epochs).</summary>
        public Options()
            : base(AdamWTrainerDefaults.RegressionNumberOfEpochs)
        {
        }

        /// <summary>
        /// Whether the label is standardized for training: the network learns (y − μ)/σ, μ and σ the
        /// weighted mean and standard deviation of the training labels, and μ and σ are folded into
        /// its output layer at the end, so the model predicts y and scores like any other.
        /// </summary>
        /// <value>Default true: the learning rate, initialization and weight decay then suit any label
        /// scale (on the defaults suite it lowered the RMSE on every regression set; see benchmarks/README.md).
        /// False trains on the label as it is.</value>
        public bool StandardizeLabel { get; set; } = true;
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
