using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using MLNet.AdamW;
using MLNet.AdamW.Model;

[assembly: LoadableClass(typeof(AdamWMulticlassModelParameters), null, typeof(SignatureLoadModel),
    "AdamW multiclass classifier", AdamWMulticlassModelParameters.LoaderSignature)]

namespace MLNet.AdamW;

/// <summary>
/// A network trained by the AdamW multiclass trainer: the score is the softmax of its K outputs,
/// one probability per class in the order of the label's key values, each kept within
/// [2⁻²⁴, 1 − 2⁻²⁴] so that a log-loss stays finite.
/// </summary>
public sealed class AdamWMulticlassModelParameters : AdamWModelParametersBase<VBuffer<float>>
{
    internal const string LoaderSignature = "MLNetAdamWMulticlass";
    private const string Signature = "ADAMWMUL";
    private readonly VectorDataViewType _outputType;

    internal AdamWMulticlassModelParameters(IHostEnvironment env, ModelContent content)
        : base(env, LoaderSignature, content)
    {
        _outputType = new VectorDataViewType(NumberDataViewType.Single, Content.Outputs);
    }

    private AdamWMulticlassModelParameters(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, LoaderSignature, ctx)
    {
        _outputType = new VectorDataViewType(NumberDataViewType.Single, Content.Outputs);
    }

    internal static AdamWMulticlassModelParameters Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Internal.MLNetVersionCheck.EnsureSupported();
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel(MakeVersionInfo(Signature, LoaderSignature));
        return new AdamWMulticlassModelParameters(env, ctx);
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount => Content.Outputs;

    /// <inheritdoc />
    private protected override PredictionKind PredictionKind => PredictionKind.MulticlassClassification;

    private protected override DataViewType OutputType => _outputType;

    private protected override VersionInfo VersionInfo => MakeVersionInfo(Signature, LoaderSignature);

    private protected override ValueMapper<VBuffer<float>, VBuffer<float>> MakeMapper() =>
        (in VBuffer<float> source, ref VBuffer<float> destination) =>
        {
            var editor = VBufferEditor.Create(ref destination, Content.Outputs);
            Run(source, editor.Values);
            Probabilities.Softmax(editor.Values);
            destination = editor.Commit();
        };

    private protected override bool SaveAsOnnx(OnnxContext ctx, string[] outputNames, string featureColumn)
    {
        if (outputNames.Length != 2)
            throw new InvalidOperationException($"The multiclass model exports PredictedLabel and Score; ML.NET asked for {outputNames.Length} columns.");
        var logits = ctx.AddIntermediateVariable(null, "Logits", skip: true);
        SaveNetworkAsOnnx(ctx, featureColumn, logits);
        OnnxExport.ClampedSoftmax(ctx, logits, outputNames[1]);
        OnnxExport.PredictedKey(ctx, outputNames[1], outputNames[0]);
        return true;
    }
}
