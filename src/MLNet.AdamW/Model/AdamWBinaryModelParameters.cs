using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using MLNet.AdamW;
using MLNet.AdamW.Model;

[assembly: LoadableClass(typeof(AdamWBinaryModelParameters), null, typeof(SignatureLoadModel),
    "AdamW binary classifier", AdamWBinaryModelParameters.LoaderSignature)]

namespace MLNet.AdamW;

/// <summary>
/// A network trained by the AdamW binary trainer: its single output is the score (a
/// logit; the predicted label is score &gt; 0) and σ(score), kept within [2⁻²⁴, 1 − 2⁻²⁴] so that
/// a log-loss stays finite, the probability.
/// </summary>
/// <remarks>The network is trained on the log-loss, so σ(score) is already a probability: the model
/// declares it, and ML.NET (e.g. OneVersusAll) does not fit a second calibrator on top.</remarks>
public sealed class AdamWBinaryModelParameters : AdamWModelParametersBase<float>, IValueMapperDist, IDistPredictorProducing<float, float>, IDistCanSaveOnnx
{
    internal const string LoaderSignature = "MLNetAdamWBinary";

    internal AdamWBinaryModelParameters(IHostEnvironment env, ModelContent content)
        : base(env, LoaderSignature, content)
    {
    }

    private AdamWBinaryModelParameters(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, LoaderSignature, ctx)
    {
    }

    internal static AdamWBinaryModelParameters Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Internal.MLNetVersionCheck.EnsureSupported();
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel(MakeVersionInfo(Signature, LoaderSignature));
        return new AdamWBinaryModelParameters(env, ctx);
    }

    private const string Signature = "ADAMWBIN";

    /// <inheritdoc />
    private protected override PredictionKind PredictionKind => PredictionKind.BinaryClassification;

    private protected override DataViewType OutputType => NumberDataViewType.Single;

    private protected override VersionInfo VersionInfo => MakeVersionInfo(Signature, LoaderSignature);

    DataViewType IValueMapperDist.DistType => NumberDataViewType.Single;

    private protected override ValueMapper<VBuffer<float>, float> MakeMapper() => (in VBuffer<float> source, ref float score) =>
        score = Score(source);

    ValueMapper<TIn, TOut, TDist> IValueMapperDist.GetMapper<TIn, TOut, TDist>()
    {
        if (typeof(TIn) != typeof(VBuffer<float>) || typeof(TOut) != typeof(float) || typeof(TDist) != typeof(float))
            throw new InvalidOperationException("This model maps VBuffer<Single> to a Single score and a Single probability.");
        ValueMapper<VBuffer<float>, float, float> mapper = (in VBuffer<float> source, ref float score, ref float probability) =>
        {
            score = Score(source);
            probability = Probabilities.Binary(score);
        };
        return (ValueMapper<TIn, TOut, TDist>)(Delegate)mapper;
    }

    bool IDistCanSaveOnnx.SaveAsOnnx(OnnxContext ctx, string[] outputNames, string featureColumn) =>
        SaveAsOnnx(ctx, outputNames, featureColumn);

    private protected override bool SaveAsOnnx(OnnxContext ctx, string[] outputNames, string featureColumn)
    {
        if (outputNames.Length != 3)
            throw new InvalidOperationException($"The binary model exports Score and Probability beside PredictedLabel; ML.NET asked for {outputNames.Length} columns.");
        SaveNetworkAsOnnx(ctx, featureColumn, outputNames[1]);
        OnnxExport.ClampedSigmoid(ctx, outputNames[1], outputNames[2]);
        return true;
    }

    private float Score(in VBuffer<float> source)
    {
        Span<float> output = stackalloc float[1];
        Run(source, output);
        return output[0];
    }
}
