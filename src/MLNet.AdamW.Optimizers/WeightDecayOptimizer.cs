using System.Globalization;
using System.Text;
using MLNet.AdamW.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// The part shared by <see cref="AdamOptimizer"/> and <see cref="SgdOptimizer"/>: parameter groups,
/// per-parameter state, the weight-decay mode as data (<see cref="DecayCoefficients"/>), the two
/// step implementations (<see cref="Optimizers.StepImplementation"/>), and state save/load.
/// </summary>
/// <remarks>
/// Derives from TorchSharp's <see cref="OptimizerHelper"/> so that TorchSharp's learning-rate
/// schedulers (which read and write <see cref="torch.optim.Optimizer.ParamGroups"/>) drive it
/// unchanged. Contiguous Float32 and Float64 CPU parameters are updated by a fused managed kernel;
/// any other floating-point parameter (CUDA, Float16, BFloat16, non-contiguous) by libtorch tensor
/// operations, driven by the same decay coefficients.
/// </remarks>
public abstract class WeightDecayOptimizer : OptimizerHelper
{
    /// <summary>Format 2: AMSGrad's third buffer holds the running maximum of the raw v (format 1: of v̂).</summary>
    private const int StateFormatVersion = 2;
    private const int FirstStateFormatVersion = 1;
    private static readonly byte[] StateMagic = "MLNAWOPT"u8.ToArray();

    /// <summary>Work below this many elements runs on the calling thread: fork/join costs more than it saves.</summary>
    private const long ParallelThreshold = 1 << 16;

    /// <summary>Elements per parallel work item: 256 KiB of each float32 stream, a few per core.</summary>
    private const long ChunkLength = 1 << 16;

    private readonly List<OptimizerParameterGroup> _groups = [];
    private readonly List<ParameterState[]> _states = [];
    private readonly HashSet<nint> _registered = [];
    private readonly HashSet<Parameter> _registeredParameters = new(ReferenceEqualityComparer.Instance);
    private readonly WeightDecayOptimizerOptions _options;
    private bool _disposed;

    private protected WeightDecayOptimizer(IEnumerable<ParameterGroup> groups, WeightDecayOptimizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _defaults = new OptimizerOptions { LearningRate = options.LearningRate, InitialLearningRate = options.LearningRate };
        _parameter_groups = new List<ParamGroup>();
        foreach (var group in groups)
            AddParameterGroup(group);
        if (_groups.Sum(g => g.Parameters.Count) == 0)
            throw new ArgumentException("The optimizer was given no parameters.", nameof(groups));
    }

    /// <summary>The validated copy of the options this optimizer was built with.</summary>
    private protected WeightDecayOptimizerOptions Settings => _options;

    /// <summary>The parameter groups, in the order they were given.</summary>
    public IReadOnlyList<OptimizerParameterGroup> Groups => _groups;

    /// <summary>How weight decay enters each step.</summary>
    public WeightDecayMode WeightDecayMode => _options.WeightDecayMode;

    /// <summary>How the per-step decay follows from λ.</summary>
    public WeightDecayScaling WeightDecayScaling => _options.WeightDecayScaling;

    /// <summary>How the steps are computed: the option this optimizer was built with.</summary>
    public StepImplementation StepImplementation => _options.StepImplementation;

    /// <summary>Number of state buffers kept per parameter.</summary>
    private int BufferCount => _options.StateBuffersPerParameter;

    /// <summary>Applies the update to elements [start, start + count) of one target (the fused kernel).</summary>
    private protected abstract void Update(in UpdateTarget target, long start, long count);

    /// <summary>
    /// The tensor-operation path's share of a step: advances the parameter's buffers with the
    /// (penalized) gradient and returns the step before decay, lr·p, as scale·numerator/denominator.
    /// </summary>
    /// <param name="state">The parameter's state, its step count already advanced to t.</param>
    /// <param name="gradient">g_t + penalty·x_{t-1}, in the buffers' dtype.</param>
    /// <param name="learningRate">The group's current learning rate α·η_t.</param>
    private protected abstract TensorStep ScaledDirection(ParameterState state, Tensor gradient, double learningRate);

    /// <summary>lr·p = <see cref="Scale"/>·<see cref="Numerator"/> / <see cref="Denominator"/> (no division when it is null),
    /// kept apart so that the parameter is updated by one fused libtorch call (<c>addcdiv_</c> or <c>add_</c>).</summary>
    private protected readonly record struct TensorStep(double Scale, Tensor Numerator, Tensor? Denominator);

    /// <summary>Whether a parameter is updated by the fused kernel (false: by tensor operations).</summary>
    internal bool UsesFusedKernel(Parameter parameter) =>
        _states.SelectMany(s => s).First(s => ReferenceEquals(s.Parameter, parameter)).UsesFusedKernel;

    /// <summary>Adds a group of parameters, with its own learning rate or weight decay if given.</summary>
    /// <exception cref="ArgumentException">A parameter is already optimized or not floating-point, or, with
    /// <see cref="StepImplementation.FusedKernel"/>, not a contiguous Float32/Float64 CPU tensor.</exception>
    public void AddParameterGroup(ParameterGroup group)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(group);
        var index = _groups.Count;
        group.Validate(index);
        var label = ParameterGroup.Describe(index, group.Name);
        var learningRate = group.LearningRate ?? _options.LearningRate;
        var weightDecay = group.WeightDecay ?? _options.WeightDecay;
        DecayCoefficients.CheckInitialDecay(_options.WeightDecayMode, _options.WeightDecayScaling, learningRate, weightDecay,
            ParameterGroup.OptionName(index, group.Name, nameof(ParameterGroup.WeightDecay)));

        var fused = new bool[group.Parameters.Count];
        var pointers = new List<nint>(fused.Length);
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < fused.Length; i++)
        {
            var parameter = group.Parameters[i];
            fused[i] = ChooseImplementation(parameter, out var refusal);
            if (refusal is not null)
                throw new ArgumentException($"Parameter {i} of {label} {refusal}.", nameof(group));
            // Two Parameter objects over the same memory are one parameter; a CUDA or strided parameter
            // has no host pointer to compare, so it is recognized by reference only.
            var pointer = InHostMemory(parameter) ? ParameterState.DataPointer(parameter) : 0;
            if (_registeredParameters.Contains(parameter) || !seen.Add(parameter)
                || (pointer != 0 && (_registered.Contains(pointer) || pointers.Contains(pointer))))
                throw new ArgumentException($"Parameter {i} of {label} appears in more than one group; each parameter may be optimized once.", nameof(group));
            pointers.Add(pointer);
        }

        var states = new ParameterState[fused.Length];
        for (var i = 0; i < states.Length; i++)
        {
            states[i] = new ParameterState(group.Parameters[i], BufferCount, fused[i]);
            _state[group.Parameters[i].Handle] = states[i];
        }
        _registered.UnionWith(pointers.Where(p => p != 0));
        _registeredParameters.UnionWith(seen);
        var runtime = new OptimizerParameterGroup(group.Parameters, group.Name, learningRate, weightDecay);
        _groups.Add(runtime);
        _states.Add(states);
        _parameter_groups.Add(runtime);
    }

    /// <summary>True for the fused kernel, false for tensor operations; <paramref name="refusal"/> says why the parameter cannot be taken as asked.</summary>
    private bool ChooseImplementation(Parameter parameter, out string? refusal)
    {
        refusal = null;
        if (!parameter.is_floating_point())
        {
            refusal = $"is {parameter.dtype}; only floating-point parameters can be optimized";
            return false;
        }
        string? unfusable = parameter.device_type != DeviceType.CPU ? $"is on {parameter.device}"
            : !parameter.is_contiguous() ? "is not contiguous"
            : parameter.dtype is not (ScalarType.Float32 or ScalarType.Float64) ? $"is {parameter.dtype}"
            : !InHostMemory(parameter) ? "is larger than 2 GB"
            : null;
        if (_options.StepImplementation == StepImplementation.FusedKernel && unfusable is not null)
            refusal = $"{unfusable}, and StepImplementation.FusedKernel updates contiguous Float32/Float64 CPU tensors up to 2 GB only; " +
                "use StepImplementation.Auto (the default) or TensorOperations for such parameters";
        return _options.StepImplementation != StepImplementation.TensorOperations && unfusable is null;
    }

    /// <summary>Whether the tensor is contiguous CPU memory that TorchSharp exposes as one span (up to 2 GB).</summary>
    private static bool InHostMemory(Tensor tensor) =>
        tensor.device_type == DeviceType.CPU && tensor.is_contiguous() && tensor.numel() * tensor.ElementSize <= int.MaxValue;

    /// <summary>Adds a TorchSharp parameter group (its learning rate, if set, is kept).</summary>
    public override void add_param_group(ParamGroup param_group)
    {
        ArgumentNullException.ThrowIfNull(param_group);
        AddParameterGroup(new ParameterGroup(param_group.Parameters) { LearningRate = param_group.Options?.LearningRate });
    }

    /// <summary>
    /// Performs one optimization step: every parameter that has a gradient is updated once.
    /// </summary>
    /// <param name="closure">Optional: re-evaluates the model and returns the loss.</param>
    /// <returns>The closure's loss, or null.</returns>
    /// <exception cref="InvalidOperationException">A group's learning rate or weight decay, as a scheduler or
    /// caller left it, is out of range (e.g. a decoupled decay d_t ≥ 1); nothing has been changed.</exception>
    /// <exception cref="NotSupportedException">A gradient is sparse; nothing has been changed.</exception>
    public override Tensor? step(Func<Tensor>? closure = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Tensor? loss = null;
        if (closure is not null)
        {
            using var grad = torch.enable_grad();
            loss = closure();
        }

        using var noGrad = torch.no_grad();
        // Frees the gradient handles and every temporary of the tensor-operation path.
        using var scope = torch.NewDisposeScope();

        // Everything that can refuse the step is checked before any parameter or state changes.
        var decays = new DecayCoefficients[_groups.Count];
        var work = new List<(int Group, ParameterState State, Tensor Gradient)>();
        for (var gi = 0; gi < _groups.Count; gi++)
        {
            var before = work.Count;
            for (var pi = 0; pi < _states[gi].Length; pi++)
            {
                var state = _states[gi][pi];
                if (state.Length == 0)
                    continue;
                var grad = state.Parameter.grad;
                if (grad is null)
                    continue;
                if (grad.is_sparse)
                    throw new NotSupportedException($"Parameter {pi} of {Describe(gi)} has a sparse gradient; sparse gradients are not supported.");
                work.Add((gi, state, grad));
            }
            // A group none of whose parameters has a gradient takes no step, so nothing to check.
            if (work.Count > before)
                decays[gi] = CheckedDecay(gi);
        }

        var targets = new List<UpdateTarget>();
        foreach (var (gi, state, gradient) in work)
        {
            state.Step++;
            var lr = _groups[gi].LearningRate;
            if (!state.UsesFusedKernel)
            {
                UpdateWithTensorOperations(state, gradient, lr, decays[gi]);
                continue;
            }
            var grad = gradient.is_contiguous() ? gradient : gradient.contiguous();
            targets.Add(new UpdateTarget(
                ParameterState.DataPointer(state.Parameter),
                ParameterState.DataPointer(grad),
                BufferCount > 0 ? state.Pointer(0) : 0,
                BufferCount > 1 ? state.Pointer(1) : 0,
                BufferCount > 2 ? state.Pointer(2) : 0,
                state.Length,
                state.DType == ScalarType.Float64,
                state.Step,
                lr,
                decays[gi]));
        }
        Run(targets);
        return loss;
    }

    private string Describe(int group) => ParameterGroup.Describe(group, _groups[group].Name);

    private string Capitalized(int group) => "P" + Describe(group)[1..];

    /// <summary>Whether the state includes AMSGrad's running maximum, whose meaning changed in state format 2.</summary>
    private protected virtual bool HasAmsGradBuffer => false;

    /// <summary>
    /// A group's decay coefficients for this step, after checking what a scheduler or caller may
    /// have changed since construction: the learning rate, and a decoupled decay's d_t &lt; 1.
    /// </summary>
    private DecayCoefficients CheckedDecay(int gi)
    {
        var group = _groups[gi];
        var (lr, lr0, lambda) = (group.LearningRate, group.InitialLearningRate, group.WeightDecay);
        if (!(double.IsFinite(lr) && lr >= 0))
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The learning rate of {Describe(gi)} is {lr} at step {NextStep(gi)}; a scheduler or caller set it out of range (finite, ≥ 0)."));
        if (_options.WeightDecayScaling == WeightDecayScaling.Schedule && !(double.IsFinite(lr0) && lr0 > 0))
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The initial learning rate of {Describe(gi)} is {lr0} at step {NextStep(gi)}; WeightDecayScaling.Schedule divides by it, so it must be finite and > 0."));
        var decay = DecayCoefficients.For(_options.WeightDecayMode, _options.WeightDecayScaling, lr, lr0, lambda);
        if (!(decay.Shrink > 0))
            throw new InvalidOperationException(
                $"Decoupled weight decay of {Describe(gi)} at step {NextStep(gi)}: {DecayCoefficients.DescribePerStepDecay(_options.WeightDecayScaling, lr, lr0, lambda)} ≥ 1, " +
                "so the shrink factor 1 − d would be ≤ 0 and flip or zero every parameter. A scheduler (OneCycle, cyclic, warm restarts) or a caller " +
                "raised the learning rate or the group's WeightDecay since the optimizer was built. Lower the peak learning rate or λ, " +
                "or use WeightDecayMode.Proximal, which is defined for any d. No parameter was changed.");
        return decay;
    }

    /// <summary>The step number t the group's parameters are about to take, for messages.</summary>
    private long NextStep(int gi) => (_states[gi].Length == 0 ? 0 : _states[gi].Max(s => s.Step)) + 1;

    /// <summary>
    /// The tensor-operation path: the same rule as the fused kernel, x ← (shrink·x − lr·p)·proximalScale
    /// with g ← g + penalty·x first, as in-place libtorch operations on the parameter's device. Float16
    /// and BFloat16 parameters are computed in Float32 and the result rounded into the parameter.
    /// </summary>
    private void UpdateWithTensorOperations(ParameterState state, Tensor gradient, double learningRate, in DecayCoefficients decay)
    {
        Tensor parameter = state.Parameter;
        var inPlace = parameter.dtype == state.BufferDType;
        var x = inPlace ? parameter : parameter.to(state.BufferDType);
        var g = gradient.dtype == state.BufferDType ? gradient : gradient.to(state.BufferDType);
        // A new tensor: the caller's gradient is left as it was, as the fused kernel leaves it.
        if (decay.GradientPenalty != 0)
            g = g.add(x, decay.GradientPenalty);
        var step = ScaledDirection(state, g, learningRate);
        if (decay.Shrink != 1)
            x.mul_(decay.Shrink);
        if (step.Denominator is null)
            x.add_(step.Numerator, -step.Scale);
        else
            x.addcdiv_(step.Numerator, step.Denominator, -step.Scale);
        if (decay.ProximalScale != 1)
            x.mul_(decay.ProximalScale);
        if (!inPlace)
            parameter.copy_(x);
    }

    private void Run(List<UpdateTarget> targets)
    {
        long total = 0;
        foreach (var t in targets)
            total += t.Length;
        var threads = Math.Min(Environment.ProcessorCount, (int)Math.Min(int.MaxValue, (total + ChunkLength - 1) / ChunkLength));
        if (total < ParallelThreshold || threads <= 1)
        {
            foreach (var t in targets)
                Update(t, 0, t.Length);
            return;
        }

        var chunks = new List<(int Target, long Start, long Count)>();
        for (var i = 0; i < targets.Count; i++)
            for (long start = 0; start < targets[i].Length; start += ChunkLength)
                chunks.Add((i, start, Math.Min(ChunkLength, targets[i].Length - start)));
        var items = targets.ToArray();
        Parallel.For(0, chunks.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            var (target, start, count) = chunks[c];
            Update(items[target], start, count);
        });
    }

    /// <summary>
    /// Writes the optimizer state (step counts, buffers, and each group's learning rates and
    /// weight decay) so that <see cref="LoadState"/> can resume training bit-identically.
    /// </summary>
    public void SaveState(Stream stream)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(StateMagic);
        writer.Write(StateFormatVersion);
        writer.Write(GetType().Name);
        writer.Write(BufferCount);
        writer.Write(_groups.Count);
        for (var gi = 0; gi < _groups.Count; gi++)
        {
            var group = _groups[gi];
            writer.Write(group.LearningRate);
            writer.Write(group.InitialLearningRate);
            writer.Write(group.WeightDecay);
            writer.Write(_states[gi].Length);
            foreach (var state in _states[gi])
            {
                writer.Write((int)state.DType);
                writer.Write(state.Shape.Length);
                foreach (var d in state.Shape)
                    writer.Write(d);
                state.SaveStateDict(writer);
            }
        }
    }

    /// <summary>
    /// Restores state written by <see cref="SaveState"/>. The stream is read and checked whole
    /// before anything changes, so a mismatch leaves this optimizer as it was.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is not optimizer state, is truncated, or was saved
    /// for another optimizer or parameter layout (the message says which group and parameter differ).</exception>
    public void LoadState(Stream stream)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            var magic = reader.ReadBytes(StateMagic.Length);
            if (!magic.AsSpan().SequenceEqual(StateMagic))
                throw new InvalidDataException("The stream does not hold MLNet.AdamW optimizer state.");
            var version = reader.ReadInt32();
            if (version is not (StateFormatVersion or FirstStateFormatVersion))
                throw new InvalidDataException(
                    $"Optimizer state format {version} is not supported (this library reads formats {FirstStateFormatVersion} and {StateFormatVersion}).");
            var kind = reader.ReadString();
            var bufferCount = reader.ReadInt32();
            if (kind != GetType().Name || bufferCount != BufferCount)
                throw new InvalidDataException(
                    $"The state was saved by {kind} with {bufferCount} buffers per parameter; this is {GetType().Name} with {BufferCount} " +
                    "(different optimizer, or AMSGrad / momentum set differently).");
            if (version == FirstStateFormatVersion && HasAmsGradBuffer)
                throw new InvalidDataException(
                    "This AMSGrad state was saved by an earlier MLNet.AdamW (state format 1), whose AMSGrad kept the running maximum of the " +
                    "bias-corrected v̂ = v / (1 − β2^t). AMSGrad now keeps the maximum of the raw v and divides it by the current 1 − β2^t " +
                    "(PyTorch's rule), and the old maximum cannot be converted exactly, since it depends on the steps at which each maximum was set. " +
                    "Restart training from the saved weights with a fresh optimizer (its moments rebuild within about 1 / (1 − β2) steps).");
            var groupCount = reader.ReadInt32();
            if (groupCount != _groups.Count)
                throw new InvalidDataException($"The state has {groupCount} parameter groups; this optimizer has {_groups.Count}.");

            var groupValues = new (double Lr, double InitialLr, double WeightDecay)[groupCount];
            var loaded = new List<(ParameterState Target, long Step, byte[][] Buffers)>();
            for (var gi = 0; gi < groupCount; gi++)
            {
                groupValues[gi] = (reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());
                if (!(double.IsFinite(groupValues[gi].Lr) && groupValues[gi].Lr >= 0 && double.IsFinite(groupValues[gi].InitialLr)
                      && groupValues[gi].InitialLr > 0 && double.IsFinite(groupValues[gi].WeightDecay) && groupValues[gi].WeightDecay >= 0))
                    throw new InvalidDataException($"{Capitalized(gi)}: corrupt learning rate or weight decay in the saved state.");
                var states = _states[gi];
                var count = reader.ReadInt32();
                if (count != states.Length)
                    throw new InvalidDataException($"{Capitalized(gi)} has {count} parameters in the state and {states.Length} in this optimizer.");
                for (var pi = 0; pi < count; pi++)
                {
                    var state = states[pi];
                    var dtype = (ScalarType)reader.ReadInt32();
                    var rank = reader.ReadInt32();
                    if (rank < 0 || rank > 64)
                        throw new InvalidDataException($"{Capitalized(gi)}, parameter {pi}: corrupt rank {rank}.");
                    var shape = new long[rank];
                    for (var d = 0; d < rank; d++)
                        shape[d] = reader.ReadInt64();
                    if (dtype != state.DType || !shape.SequenceEqual(state.Shape))
                        throw new InvalidDataException(
                            $"{Capitalized(gi)}, parameter {pi}: the state is for a {dtype} tensor of shape [{string.Join(", ", shape)}], " +
                            $"but the parameter is {state.DType} [{string.Join(", ", state.Shape)}]. The state was saved for a different model.");
                    var step = reader.ReadInt64();
                    var buffers = reader.ReadInt32();
                    if (step < 0 || buffers != BufferCount)
                        throw new InvalidDataException($"{Capitalized(gi)}, parameter {pi}: corrupt step {step} or buffer count {buffers}.");
                    var data = new byte[buffers][];
                    for (var b = 0; b < buffers; b++)
                    {
                        data[b] = new byte[state.BufferBytes];
                        reader.BaseStream.ReadExactly(data[b]);
                    }
                    loaded.Add((state, step, data));
                }
            }

            for (var gi = 0; gi < groupCount; gi++)
            {
                var (lr, initialLr, weightDecay) = groupValues[gi];
                _groups[gi].InitialLearningRate = initialLr;
                _groups[gi].LearningRate = lr;
                _groups[gi].WeightDecay = weightDecay;
            }
            foreach (var (target, step, buffers) in loaded)
            {
                for (var b = 0; b < buffers.Length; b++)
                    target.CopyBufferFrom(b, buffers[b]);
                target.Step = step;
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The optimizer state is truncated.", e);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            foreach (var states in _states)
                foreach (var state in states)
                    state.Dispose();
            _disposed = true;
        }
        base.Dispose(disposing);
    }
}
