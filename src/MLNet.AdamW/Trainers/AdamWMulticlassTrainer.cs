using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MLNet.AdamW.Data;
using MLNet.AdamW.Model;

namespace MLNet.AdamW;

/// <summary>
/// Trains a neural network for multiclass classification with Adam or SGD and a chosen
/// weight-decay mode (AdamW by default), inside an ML.NET pipeline.
/// </summary>
/// <remarks>
/// <para>Create it with <c>mlContext.MulticlassClassification.Trainers.AdamW(...)</c>. The label must be a key
/// (add <c>mlContext.Transforms.Conversion.MapValueToKey</c>). Output columns, as for ML.NET's built-in
/// multiclass trainers: <c>Score</c> (vector of Single: the softmax probability of each class, with
/// the label's key values as slot names) and <c>PredictedLabel</c> (the label's key type, so
/// <c>MapKeyToValue</c> turns it back into the original value).</para>
/// <list type="table">
/// <listheader><term>Trainer characteristics</term><description></description></listheader>
/// <item><term>Machine learning task</term><description>Multiclass classification</description></item>
/// <item><term>Is normalization required?</term><description>Yes: standardize features (NormalizeMeanVariance)</description></item>
/// <item><term>Is caching required?</term><description>No (the data is read into memory once)</description></item>
/// <item><term>Required NuGet in addition to Microsoft.ML</term><description>MLNet.AdamW, TorchSharp and a native backend (TorchSharp-cpu)</description></item>
/// <item><term>Exportable to ONNX</term><description>Yes, every network (<c>ml.Model.ConvertToOnnx</c>, Microsoft.ML.OnnxConverter; opset 9 or later, 11 or later for a ResNet with option-A shortcuts)</description></item>
/// </list>
/// <para>Loss: cross-entropy of the softmax, weighted by the example weights.</para>
/// </remarks>
public sealed class AdamWMulticlassTrainer : AdamWTrainerBase<MulticlassPredictionTransformer<AdamWMulticlassModelParameters>, AdamWMulticlassModelParameters>
{
    internal const string LoadName = "MLNetAdamWMulticlassTrainer";

    /// <summary>Options of <see cref="AdamWMulticlassTrainer"/>; the label column is a key.</summary>
    public sealed class Options : AdamWTrainerOptions
    {
        /// <summary>Options with the multiclass defaults (<see cref="AdamWTrainerDefaults.MulticlassNumberOfEpochs"/> epochs).</summary>
        public Options()
            : base(AdamWTrainerDefaults.MulticlassNumberOfEpochs)
        {
        }
    }

    internal AdamWMulticlassTrainer(IHostEnvironment env, Options options)
        : base(env, LoadName, options, TrainerUtils.MakeU4ScalarColumn(Validated(options).LabelColumnName))
    {
    }

    /// <inheritdoc />
    private protected override PredictionKind PredictionKind => PredictionKind.MulticlassClassification;

    private protected override LabelKind LabelKind => LabelKind.Multiclass;

    private protected override byte TaskCode => 1;

    private protected override AdamWMulticlassModelParameters CreateModel(ModelContent content) => new(Host, content);

    // A single class would train a network that always predicts it, and Evaluate would fail later
    // on a confusion matrix of one class: refuse it here, as the binary trainer refuses one class.
    private protected override void CheckTrainingLabels(TabularData train, DataViewSchema.Column labelColumn)
    {
        var labels = train.Labels;
        var first = labels[0];
        foreach (var label in labels)
            if (label != first)
                return;
        var key = (ulong)first + 1;
        var name = KeyValueText(labelColumn, (int)first) is { } text ? $"'{text}' (key {key})" : $"key {key}";
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"The training data has a single class: label '{labelColumn.Name}' is {name} in all {labels.Length:N0} usable rows. ") +
            "A multiclass classifier needs examples of at least two classes; check the label column, its MapValueToKey and any filters before the trainer.");
    }

    private static string? KeyValueText(DataViewSchema.Column column, int index)
    {
        if (column.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues) is not { Type: VectorDataViewType { ItemType: TextDataViewType } })
            return null;
        var values = default(VBuffer<ReadOnlyMemory<char>>);
        column.GetKeyValues(ref values);
        return index < values.Length ? values.GetItemOrDefault(index).ToString() : null;
    }

    /// <inheritdoc />
    private protected override void CheckLabelCompatible(SchemaShape.Column labelCol)
    {
        if (!labelCol.IsKey || labelCol.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(labelCol),
                $"Schema mismatch for label column '{LabelColumn.Name}': expected a key type, got {labelCol.GetTypeString()}. " +
                $"Add mlContext.Transforms.Conversion.MapValueToKey(\"{LabelColumn.Name}\") before the trainer.");
    }

    /// <inheritdoc />
    private protected override SchemaShape.Column[] GetOutputColumnsCore(SchemaShape inputSchema)
    {
        if (!inputSchema.TryFindColumn(LabelColumn.Name, out var label))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Schema mismatch for label column '{LabelColumn.Name}': column not found.");
        var predictedLabelAnnotations = new SchemaShape(label.Annotations.Where(a => a.Name == AnnotationUtils.Kinds.KeyValues)
            .Concat(AnnotationUtils.GetTrainerOutputAnnotation()));
        return
        [
            new(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false,
                new SchemaShape(AnnotationUtils.AnnotationsForMulticlassScoreColumn(label))),
            new(DefaultColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, predictedLabelAnnotations),
        ];
    }

    /// <inheritdoc />
    private protected override MulticlassPredictionTransformer<AdamWMulticlassModelParameters> MakeTransformer(AdamWMulticlassModelParameters model, DataViewSchema trainSchema) =>
        PredictionTransformers.Multiclass(Host, model, trainSchema, FeatureColumn.Name, LabelColumn.Name);
}
