using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using MLNet.AdamW;
using MLNet.AdamW.Model;

[assembly: LoadableClass(typeof(AdamWRegressionModelParameters), null, typeof(SignatureLoadModel),
    "AdamW regression", AdamWRegressionModelParameters.LoaderSignature)]

namespace MLNet.AdamW;

/// <summary>A network trained by the AdamW regression trainer: its single output is the prediction.</summary>
public sealed class AdamWRegressionModelParameters : AdamWModelParametersBase<float>
{
    internal const string LoaderSignature = "MLNetAdamWRegression";
    private const string Signature = "ADAMWREG";

    internal AdamWRegressionModelParameters(IHostEnvironment env, ModelContent content)
        : base(env, LoaderSignature, content)
    {
    }

    private AdamWRegressionModelParameters(IHostEnvironment env, ModelLoadContext ctx)
        : base(env, LoaderSignature, ctx)
    {
    }

    internal static AdamWRegressionModelParameters Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Internal.MLNetVersionCheck.EnsureSupported();
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.CheckAtModel(MakeVersionInfo(Signature, LoaderSignature));
        return new AdamWRegressionModelParameters(env, ctx);
    }

    /// <inheritdoc />
    private protected override PredictionKind PredictionKind => PredictionKind.Regression;

    private protected override DataViewType OutputType => NumberDataViewType.Single;

    private protected override VersionInfo VersionInfo => MakeVersionInfo(Signature, LoaderSignature);

    private protected override ValueMapper<VBuffer<float>, float> MakeMapper() => (in VBuffer<float> source, ref float value) =>
    {
        Span<float> output = stackalloc float[1];
        Run(source, output);
        value = output[0];
    };

    // ML.NET's regression scorer asks for the Score column alone.
    private protected override bool SaveAsOnnx(OnnxContext ctx, string[] outputNames, string featureColumn)
    {
        SaveNetworkAsOnnx(ctx, featureColumn, outputNames[^1]);
        return true;
    }
}
