using System.Text;
using MLNet.AdamW.Internal;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// The part shared by <see cref="AdamOptimizer"/> and <see cref="SgdOptimizer"/>: parameter groups,
/// per-parameter state, the weight-decay mode as data (<see cref="DecayCoefficients"/>), a fused
/// update over the tensors' memory, and state save/load.
/// </summary>
/// <remarks>
/// Derives from TorchSharp's <see cref="OptimizerHelper"/> so that TorchSharp's learning-rate
/// schedulers (which read and write <see cref="torch.optim.Optimizer.ParamGroups"/>) drive it
/// unchanged. Parameters must be contiguous Float32 or Float64 tensors on the CPU.
/// </remarks>
public abstract class WeightDecayOptimizer : OptimizerHelper
{
    private const int StateFormatVersion = 1;
    private static readonly byte[] StateMagic = "MLNAWOPT"u8.ToArray();

    /// <summary>Work below this many elements runs on the calling thread: fork/join costs more than it saves.</summary>
    private const long ParallelThreshold = 1 << 16;

    /// <summary>Elements per parallel work item: 256 KiB of each float32 stream, a few per core.</summary>
    private const long ChunkLength = 1 << 16;

    private readonly List<OptimizerParameterGroup> _groups = [];
    private readonly List<ParameterState[]> _states = [];
    private readonly HashSet<nint> _registered = [];
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

    /// <summary>Number of state buffers kept per parameter.</summary>
    private int BufferCount => _options.StateBuffersPerParameter;

    /// <summary>Applies the update to elements [start, start + count) of one target.</summary>
    private protected abstract void Update(in UpdateTarget target, long start, long count);

    /// <summary>Adds a group of parameters, with its own learning rate or weight decay if given.</summary>
    /// <exception cref="ArgumentException">A parameter is already optimized, not on the CPU, not contiguous, or not Float32/Float64.</exception>
    public void AddParameterGroup(ParameterGroup group)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(group);
        group.Validate();
        var learningRate = group.LearningRate ?? _options.LearningRate;
        var weightDecay = group.WeightDecay ?? _options.WeightDecay;
        DecayCoefficients.CheckInitialDecay(_options.WeightDecayMode, _options.WeightDecayScaling, learningRate, weightDecay,
            $"ParameterGroup '{group.Name}'.WeightDecay");

        var states = new ParameterState[group.Parameters.Count];
        var pointers = new List<nint>(states.Length);
        for (var i = 0; i < states.Length; i++)
        {
            var parameter = group.Parameters[i];
            if (parameter.device_type != DeviceType.CPU)
                throw new ArgumentException($"Parameter {i} of group '{group.Name}' is on {parameter.device}; this optimizer updates CPU tensors only.", nameof(group));
            if (!parameter.is_contiguous())
                throw new ArgumentException($"Parameter {i} of group '{group.Name}' is not contiguous.", nameof(group));
            if (parameter.dtype is not (ScalarType.Float32 or ScalarType.Float64))
                throw new ArgumentException($"Parameter {i} of group '{group.Name}' is {parameter.dtype}; Float32 and Float64 are supported.", nameof(group));
            var pointer = ParameterState.DataPointer(parameter);
            if (pointer != 0 && (_registered.Contains(pointer) || pointers.Contains(pointer)))
                throw new ArgumentException($"Parameter {i} of group '{group.Name}' appears in more than one group; each parameter may be optimized once.", nameof(group));
            pointers.Add(pointer);
        }

        for (var i = 0; i < states.Length; i++)
        {
            states[i] = new ParameterState(group.Parameters[i], BufferCount);
            _state[group.Parameters[i].Handle] = states[i];
        }
        _registered.UnionWith(pointers.Where(p => p != 0));
        var runtime = new OptimizerParameterGroup(group.Parameters, group.Name, learningRate, weightDecay);
        _groups.Add(runtime);
        _states.Add(states);
        _parameter_groups.Add(runtime);
    }

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
    public override Tensor? step(Func<Tensor>? closure = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Tensor? loss = null;
        if (closure is not null)
        {
            using var grad = torch.enable_grad();
            loss = closure();
        }

        var targets = new List<UpdateTarget>();
        var gradients = new List<Tensor>();
        try
        {
            using var noGrad = torch.no_grad();
            for (var gi = 0; gi < _groups.Count; gi++)
            {
                var group = _groups[gi];
                var lr = group.LearningRate;
                if (!(double.IsFinite(lr) && lr >= 0))
                    throw new InvalidOperationException($"The learning rate of group '{group.Name}' is {lr}; a scheduler or caller set it out of range.");
                var decay = DecayCoefficients.For(_options.WeightDecayMode, _options.WeightDecayScaling, lr, group.InitialLearningRate, group.WeightDecay);
                foreach (var state in _states[gi])
                {
                    if (state.Length == 0)
                        continue;
                    var grad = state.Parameter.grad;
                    if (grad is null)
                        continue;
                    gradients.Add(grad);
                    if (grad.is_sparse)
                        throw new NotSupportedException("Sparse gradients are not supported.");
                    if (!grad.is_contiguous())
                    {
                        grad = grad.contiguous();
                        gradients.Add(grad);
                    }
                    state.Step++;
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
                        decay));
                }
            }
            Run(targets);
        }
        finally
        {
            foreach (var g in gradients)
                g.Dispose();
        }
        return loss;
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
            if (version != StateFormatVersion)
                throw new InvalidDataException($"Optimizer state format {version} is not supported (this library reads format {StateFormatVersion}).");
            var kind = reader.ReadString();
            var bufferCount = reader.ReadInt32();
            if (kind != GetType().Name || bufferCount != BufferCount)
                throw new InvalidDataException(
                    $"The state was saved by {kind} with {bufferCount} buffers per parameter; this is {GetType().Name} with {BufferCount} " +
                    "(different optimizer, or AMSGrad / momentum set differently).");
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
                    throw new InvalidDataException($"Group {gi}: corrupt learning rate or weight decay in the saved state.");
                var states = _states[gi];
                var count = reader.ReadInt32();
                if (count != states.Length)
                    throw new InvalidDataException($"Group {gi} has {count} parameters in the state and {states.Length} in this optimizer.");
                for (var pi = 0; pi < count; pi++)
                {
                    var state = states[pi];
                    var dtype = (ScalarType)reader.ReadInt32();
                    var rank = reader.ReadInt32();
                    if (rank < 0 || rank > 64)
                        throw new InvalidDataException($"Group {gi}, parameter {pi}: corrupt rank {rank}.");
                    var shape = new long[rank];
                    for (var d = 0; d < rank; d++)
                        shape[d] = reader.ReadInt64();
                    if (dtype != state.DType || !shape.SequenceEqual(state.Shape))
                        throw new InvalidDataException(
                            $"Group {gi}, parameter {pi}: the state is for a {dtype} tensor of shape [{string.Join(", ", shape)}], " +
                            $"but the parameter is {state.DType} [{string.Join(", ", state.Shape)}]. The state was saved for a different model.");
                    var step = reader.ReadInt64();
                    var buffers = reader.ReadInt32();
                    if (step < 0 || buffers != BufferCount)
                        throw new InvalidDataException($"Group {gi}, parameter {pi}: corrupt step {step} or buffer count {buffers}.");
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
