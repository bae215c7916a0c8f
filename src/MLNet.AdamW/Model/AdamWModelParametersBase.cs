using System.Buffers;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using MLNet.AdamW.Model;
using MLNet.AdamW.Training;
using TorchSharp.Modules;

namespace MLNet.AdamW;

/// <summary>
/// What the AdamW trainers produce: a trained network, its description, the optimizer it was
/// trained with and the per-epoch training history. Scoring is thread-safe: an MLP runs in managed
/// code (allocation-free, no native call per row, no libtorch needed); a CNN or ResNet runs in
/// libtorch, in eval mode, one module per scoring thread. <c>ml.Model.ConvertToOnnx</c>
/// (Microsoft.ML.OnnxConverter) exports pipelines that end in MLP models, and
/// <see cref="CreateTorchModule"/> and <see cref="SaveTorchModule"/> hand the network itself to
/// TorchSharp.
/// </summary>
/// <typeparam name="TOutput">The score type: a float, or a vector of floats for multiclass.</typeparam>
public abstract class AdamWModelParametersBase<TOutput> : ModelParametersBase<TOutput>, IValueMapper, ISingleCanSaveOnnx
{
    private readonly VectorDataViewType _inputType;

    private protected AdamWModelParametersBase(IHostEnvironment env, string name, ModelContent content)
        : base(env, name)
    {
        Content = content;
        Scorer = INetworkScorer.For(content);
        _inputType = new VectorDataViewType(NumberDataViewType.Single, content.Inputs);
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

    /// <summary>Scores rows: managed for an MLP, libtorch for the convolutional networks.</summary>
    private protected INetworkScorer Scorer { get; }

    /// <summary>Number of features the network takes.</summary>
    public int FeatureCount => Content.Inputs;

    /// <summary>
    /// The network, e.g. "MLP 4-64-64-3, ReLU", "CNN 1×28×28 → 16-32 (3×3 conv, batch norm, ReLU, 2×2 max pool) → 10"
    /// or "ResNet-20 width 16 on 1×28×28, option-A shortcuts, batch norm, 10 outputs".
    /// </summary>
    public string NetworkDescription => Content.NetworkDescription;

    /// <summary>Number of trainable values in the network (weights, biases and batch-norm scales and shifts; not its running statistics).</summary>
    public long ParameterCount => Content.Network.ParameterCount;

    /// <summary>The optimizer and its settings, e.g. "AdamW α=1e-3 λ=1e-2 (learning-rate scaling), cosine schedule".</summary>
    public string OptimizerDescription => Content.OptimizerDescription;

    /// <summary>Per-epoch losses, validation metrics, learning rates and times, and the epoch whose weights the model has.</summary>
    public TrainingHistory History => Content.History;

    /// <summary>
    /// The gradient-scale diagnostics recorded while training (<see cref="AdamWTrainerOptions.Diagnostics"/>);
    /// null when none were asked for. The saved model keeps them, so a loaded model has them too.
    /// </summary>
    public Diagnostics.GradientScaleDiagnostics? Diagnostics => Content.Diagnostics;

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

    /// <summary>
    /// Builds the trained network as a new TorchSharp module in evaluation mode, Float32 on the CPU,
    /// so that it can be inspected, fine-tuned or trained further in plain TorchSharp.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each call returns a new module that the caller owns (dispose it when done). Its layout is the
    /// one the trainer trained, with the same forward pass: an <c>nn.Sequential</c> whose modules are,
    /// for each hidden layer i = 1, 2, …, <c>("linear{i}", nn.Linear(inputs, width))</c>, then
    /// <c>("norm{i}", nn.BatchNorm1d(width))</c> if the network has batch norm (a layer with its
    /// learned scale and shift and its running statistics, not folded into the linear layer),
    /// <c>("activation{i}", …)</c> (nn.ReLU, nn.GELU (exact), nn.Tanh, nn.Sigmoid, nn.LeakyReLU(0.01)
    /// or nn.SiLU) and <c>("dropout{i}", nn.Dropout(p))</c> if trained with dropout; and last
    /// <c>("output", nn.Linear(width, outputs))</c>. <see cref="NetworkDescription"/> gives the sizes,
    /// e.g. "MLP 4-64-64-3, ReLU, batch norm": linear1, norm1, activation1, linear2, norm2,
    /// activation2, output.
    /// </para>
    /// <para>
    /// A CNN is <c>("image", nn.Unflatten(1, [C, H, W]))</c>, then per block i <c>("conv{i}", nn.Conv2d(…, 3, padding: 1))</c>
    /// (with a bias only without batch norm), <c>("norm{i}", nn.BatchNorm2d)</c> with batch norm, <c>("relu{i}", nn.ReLU)</c>
    /// and <c>("pool{i}", nn.MaxPool2d(2))</c>, then <c>("flatten", nn.Flatten())</c> and <c>("output", nn.Linear)</c>.
    /// A ResNet is <c>image</c>, <c>conv</c>, [<c>norm</c>], <c>relu</c>, <c>stage1</c>–<c>stage3</c> (each an
    /// <c>nn.Sequential</c> of residual blocks <c>block{j}</c> holding <c>residual</c> = conv1, [norm1], relu, conv2,
    /// [norm2], and for projection shortcuts <c>shortcut</c> = conv, [norm]), <c>pool</c> (nn.AdaptiveAvgPool2d(1)),
    /// <c>flatten</c> and <c>output</c>; its blocks are this library's own module type, so load the weights of
    /// <see cref="SaveTorchModule"/> into the module this method returns rather than into one built by hand.
    /// </para>
    /// <para>
    /// The module outputs the network's raw outputs: for binary classification the logit (the
    /// model's Score), for regression the prediction (Score), for multiclass the K logits (the model's
    /// Score is their softmax). Call <c>train()</c> on it before training further.
    /// </para>
    /// <para>
    /// Needs TorchSharp's native library (a TorchSharp backend package such as TorchSharp-cpu in the
    /// application); scoring an MLP never does. libtorch's process-wide random generator is
    /// left as it was (it is saved and restored around the build, so do not call this while another
    /// thread draws from it, e.g. while a trainer initializes a network).
    /// </para>
    /// </remarks>
    /// <returns>A new <see cref="Sequential"/> module holding a copy of the trained weights.</returns>
    public Sequential CreateTorchModule() => TorchModule.Create(Content);

    /// <summary>
    /// Writes the trained network alone — weights, biases and batch-norm statistics — to
    /// <paramref name="stream"/> in TorchSharp's <c>module.save</c> format.
    /// </summary>
    /// <remarks>
    /// Read it back with <c>module.load(stream)</c> into a module of the layout described on
    /// <see cref="CreateTorchModule"/> (built with TorchSharp's <c>nn.Sequential</c>, <c>nn.Linear</c>,
    /// <c>nn.BatchNorm1d</c>, … and the same module names), e.g. to continue training in plain
    /// TorchSharp. Written from the tensors the model holds, in managed code, so it needs no native
    /// library; the bytes are those <c>module.save</c> writes for the module of <see cref="CreateTorchModule"/>.
    /// The stream is left open.
    /// </remarks>
    /// <param name="stream">A writable stream.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not writable.</exception>
    public void SaveTorchModule(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
            throw new ArgumentException("The stream to save the network to must be writable.", nameof(stream));
        StateDictionary.Write(stream, Content.Tensors);
    }

    // True for every network: ML.NET would otherwise drop the scorer from the exported graph with only a
    // warning; a network without an ONNX export throws a clear NotSupportedException in SaveNetworkAsOnnx instead.
    bool ICanSaveOnnx.CanSaveOnnx(OnnxContext ctx) => true;

    bool ISingleCanSaveOnnx.SaveAsOnnx(OnnxContext ctx, string[] outputNames, string featureColumn) =>
        SaveAsOnnx(ctx, outputNames, featureColumn);

    /// <summary>
    /// Writes the model into the ONNX graph. <paramref name="outputNames"/> are the prediction
    /// transformer's columns in ML.NET's order: binary [PredictedLabel, Score, Probability] (the scorer
    /// adds PredictedLabel), multiclass [PredictedLabel, Score], regression [Score].
    /// </summary>
    private protected abstract bool SaveAsOnnx(OnnxContext ctx, string[] outputNames, string featureColumn);

    /// <summary>Writes the network from the features to <paramref name="output"/> (the raw outputs).</summary>
    private protected void SaveNetworkAsOnnx(OnnxContext ctx, string featureColumn, string output)
    {
        if (Scorer is not ManagedForward dense)
            throw new NotSupportedException($"ONNX export of a {Content.Network.Kind} network ({NetworkDescription}) is not supported yet; MLPs export.");
        OnnxExport.Network(ctx, dense.Layers, featureColumn, output, GetType().Name);
    }

    /// <summary>
    /// Runs the network on one row without allocating: a dense row as it is, a sparse one densified on
    /// the stack (up to 1,024 features) or in a buffer rented from the shared pool.
    /// </summary>
    internal void Run(in VBuffer<float> source, Span<float> output)
    {
        if (source.Length != FeatureCount)
            throw new ArgumentOutOfRangeException(nameof(source), $"The model was trained on {FeatureCount} features; this row has {source.Length}.");
        if (source.IsDense)
        {
            Scorer.Run(source.GetValues(), output);
            return;
        }
        if (FeatureCount <= 1024)
        {
            Span<float> features = stackalloc float[FeatureCount];
            source.CopyTo(features);
            Scorer.Run(features, output);
            return;
        }
        var rented = ArrayPool<float>.Shared.Rent(FeatureCount);
        try
        {
            var features = rented.AsSpan(0, FeatureCount);
            source.CopyTo(features);
            Scorer.Run(features, output);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
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
