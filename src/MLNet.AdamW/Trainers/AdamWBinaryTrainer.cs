using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MLNet.AdamW.Data;
using MLNet.AdamW.Model;

namespace MLNet.AdamW;

/// <summary>
/// Trains a neural network for binary classification with Adam or SGD and a chosen weight-decay
/// mode (AdamW by default), inside an ML.NET pipeline.
/// </summary>
/// <remarks>
/// <para>Create it with <c>mlContext.BinaryClassification.Trainers.AdamW(...)</c>. Output columns, as for
/// ML.NET's built-in binary trainers: <c>Score</c> (Single, the network's logit), <c>Probability</c>
/// (Single, σ(score)) and <c>PredictedLabel</c> (Boolean, score &gt; 0).</para>
/// <list type="table">
/// <listheader><term>Trainer characteristics</term><description></description></listheader>
/// <item><term>Machine learning task</term><description>Binary classification</description></item>
/// <item><term>Is normalization required?</term><description>Yes: standardize features (NormalizeMeanVariance)</description></item>
/// <item><term>Is caching required?</term><description>No (the data is read into memory once)</description></item>
/// <item><term>Required NuGet in addition to Microsoft.ML</term><description>MLNet.AdamW, TorchSharp and a native backend (TorchSharp-cpu)</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes, every network (<c>ml.Model.ConvertToOnnx</c>, Microsoft.ML.OnnxConverter; opset 9 or later, 11 or later for a ResNet with option-A shortcuts)</description></item>
/// </list>
/// <para>Loss: binary cross-entropy on the logit, weighted by the example weights. The update rules
/// of each weight-decay mode are in <see cref="WeightDecayMode"/>.</para>
/// </remarks>
public sealed class AdamWBinaryTrainer : AdamWTrainerBase<BinaryPredictionTransformer<AdamWBinaryModelParameters>, AdamWBinaryModelParameters>
{
    internal const string LoadName = "MLNetAdamWBinaryTrainer";

    /// <summary>Options of <see cref="AdamWBinaryTrainer"/>; the label column holds Boolean values.</summary>
    public sealed class Options : AdamWTrainerOptions
    {
        /// <summary>Options with the binary defaults (<see cref="AdamWTrainerDefaults.BinaryNumberOfEpochs"/> epochs).</summary>
        public Options()
            : base(AdamWTrainerDefaults.BinaryNumberOfEpochs)
        {
        }
    }

    internal AdamWBinaryTrainer(IHostEnvironment env, Options options)
        : base(env, LoadName, options, TrainerUtils.MakeBoolScalarLabel(Validated(options).LabelColumnName))
    {
    }

    /// <inheritdoc />
    private protected override PredictionKind PredictionKind => PredictionKind.BinaryClassification;

    private protected override LabelKind LabelKind => LabelKind.Binary;

    private protected override byte TaskCode => 0;

    private protected override AdamWBinaryModelParameters CreateModel(ModelContent content) => new(Host, content);

    /// <inheritdoc />
    private protected override void CheckLabelCompatible(SchemaShape.Column labelCol)
    {
        if (!LabelColumn.IsCompatibleWith(labelCol))
            throw new ArgumentOutOfRangeException(nameof(labelCol),
                $"Schema mismatch for label column '{LabelColumn.Name}': expected Boolean, got {labelCol.GetTypeString()}. " +
                "Binary classification needs a Boolean label; convert it, e.g. with a CustomMapping or by loading the column as Boolean.");
    }

    /// <inheritdoc />
    private protected override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema) =>
    [
        new(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
        new(DefaultColumnNames.Probability, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation(true))),
        new(DefaultColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false, new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation())),
    ];

    /// <inheritdoc />
    private protected override BinaryPredictionTransformer<AdamWBinaryModelParameters> MakeTransformer(AdamWBinaryModelParameters model, DataViewSchema trainSchema) =>
        PredictionTransformers.Binary(Host, model, trainSchema, FeatureColumn.Name, LabelColumn.Name);
}
