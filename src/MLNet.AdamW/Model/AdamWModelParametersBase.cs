using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MLNet.AdamW.Model;
using MLNet.AdamW.Training;

namespace MLNet.AdamW;

/// <summary>
/// What the AdamW trainers produce: a trained network, its description, the optimizer it was
/// trained with and the per-epoch training history. Scoring runs the network in managed code
/// (thread-safe, allocation-free, no native call per row).
/// </summary>
/// <typeparam name="TOutput">The score type: a float, or a vector of floats for multiclass.</typeparam>
public abstract class AdamWModelParametersBase<TOutput> : ModelParametersBase<TOutput>, IValueMapper
{
    private readonly VectorDataViewType _inputType;

    private protected AdamWModelParametersBase(IHostEnvironment env, string name, ModelContent content)
        : base(env, name)
    {
        Content = content;
        Forward = new ManagedForward(content.Layers);
        _inputType = new VectorDataViewType(NumberDataViewType.Single, Forward.Inputs);
    }

    private protected AdamWModelParametersBase(IHostEnvironment env, string name, ModelLoadContext ctx)
        : this(env, name, ReadContent(env, name, ctx))
    {
    }

    // ModelParametersBase reads its own header from ctx first; the content follows it.
    private static ModelContent ReadContent(IHostEnvironment env, string name, ModelLoadContext ctx)
    {
        var floatSize = ctx.Reader.ReadInt32();
        if (floatSize != sizeof(float))
            throw new InvalidDataException($"The {name} model was saved with {floatSize}-byte floats.");
        return ModelContent.Read(ctx.Reader);
    }

    private protected ModelContent Content { get; }

    private protected ManagedForward Forward { get; }

    /// <summary>Number of features the network takes.</summary>
    public int FeatureCount => Forward.Inputs;

    /// <summary>The network, e.g. "MLP 4-64-64-3, ReLU".</summary>
    public string NetworkDescription => Content.NetworkDescription;

    /// <summary>The optimizer and its settings, e.g. "AdamW α=1e-3 λ=1e-2 (learning-rate scaling), cosine schedule".</summary>
    public string OptimizerDescription => Content.OptimizerDescription;

    /// <summary>Per-epoch losses, validation metrics, learning rates and times, and the epoch whose weights the model has.</summary>
    public TrainingHistory History => Content.History;

    internal ModelContent ContentForWarmStart => Content;

    DataViewType IValueMapper.InputType => _inputType;

    DataViewType IValueMapper.OutputType => OutputType;

    private protected abstract DataViewType OutputType { get; }

    private protected abstract VersionInfo VersionInfo { get; }

    ValueMapper<TSrc, TDst> IValueMapper.GetMapper<TSrc, TDst>()
    {
        if (typeof(TSrc) != typeof(VBuffer<float>) || typeof(TDst) != typeof(TOutput))
            throw new InvalidOperationException($"This model maps VBuffer<Single> to {typeof(TOutput).Name}, not {typeof(TSrc).Name} to {typeof(TDst).Name}.");
        return (ValueMapper<TSrc, TDst>)(Delegate)MakeMapper();
    }

    private protected abstract ValueMapper<VBuffer<float>, TOutput> MakeMapper();

    /// <summary>Runs the network on one row (densified on the stack for up to 1,024 features).</summary>
    private protected void Run(in VBuffer<float> source, Span<float> output)
    {
        if (source.Length != FeatureCount)
            throw new ArgumentOutOfRangeException(nameof(source), $"The model was trained on {FeatureCount} features; this row has {source.Length}.");
        Span<float> features = FeatureCount <= 1024 ? stackalloc float[FeatureCount] : new float[FeatureCount];
        source.CopyTo(features);
        Forward.Run(features, output);
    }

    /// <inheritdoc />
    private protected override void SaveCore(ModelSaveContext ctx)
    {
        base.SaveCore(ctx);
        ctx.SetVersionInfo(VersionInfo);
        Content.Write(ctx.Writer);
    }

    private protected static VersionInfo MakeVersionInfo(string signature, string loaderSignature) => new(
        modelSignature: signature,
        verWrittenCur: 0x00010001,
        verReadableCur: 0x00010001,
        verWeCanReadBack: 0x00010001,
        loaderSignature: loaderSignature,
        loaderAssemblyName: typeof(AdamWModelParametersBase<>).Assembly.FullName);
}
