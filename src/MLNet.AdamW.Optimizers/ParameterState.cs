using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// Per-parameter optimizer state: the step count and the optimizer's buffers (Adam: m, v and,
/// with AMSGrad, max v̂; SGD with momentum: the momentum buffer), each shaped like the parameter.
/// </summary>
internal sealed class ParameterState : OptimizerState, IDisposable
{
    private readonly Tensor[] _buffers;
    private readonly nint[] _pointers;

    public ParameterState(Parameter parameter, int bufferCount) : base(parameter)
    {
        Shape = parameter.shape;
        DType = parameter.dtype;
        Length = parameter.numel();
        _buffers = new Tensor[bufferCount];
        _pointers = new nint[bufferCount];
        for (var i = 0; i < bufferCount; i++)
        {
            _buffers[i] = torch.zeros_like(parameter, requires_grad: false).DetachFromDisposeScope();
            _pointers[i] = DataPointer(_buffers[i]);
        }
    }

    public Parameter Parameter => _parameter;

    public long[] Shape { get; }

    public ScalarType DType { get; }

    public long Length { get; }

    /// <summary>Number of updates applied to this parameter, t in the update rules.</summary>
    public long Step { get; set; }

    public IReadOnlyList<Tensor> Buffers => _buffers;

    /// <summary>Data pointers of the buffers: they are ours, contiguous, on the CPU and only ever
    /// written in place, so they are resolved once instead of at every step.</summary>
    public nint Pointer(int buffer) => _pointers[buffer];

    public long BufferBytes => Length * ElementSize(DType);

    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => sizeof(float),
        ScalarType.Float64 => sizeof(double),
        _ => throw new NotSupportedException($"Parameters of type {dtype} are not supported; use Float32 or Float64."),
    };

    /// <summary>The data pointer of a contiguous CPU tensor (TorchSharp checks both).</summary>
    public static unsafe nint DataPointer(Tensor tensor) =>
        tensor.numel() == 0 ? 0 : (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));

    public void CopyBufferFrom(int buffer, ReadOnlySpan<byte> bytes) => bytes.CopyTo(BufferSpan(buffer));

    public unsafe Span<byte> BufferSpan(int buffer) => new((void*)_pointers[buffer], checked((int)BufferBytes));

    public void Reset()
    {
        Step = 0;
        foreach (var buffer in _buffers)
            buffer.zero_();
    }

    public override void Initialize(OptimizerOptions options) => Reset();

    public override void SaveStateDict(BinaryWriter writer)
    {
        writer.Write(Step);
        writer.Write(_buffers.Length);
        for (var i = 0; i < _buffers.Length; i++)
            writer.Write(BufferSpan(i));
    }

    public override void LoadStateDict(BinaryReader reader)
    {
        var step = reader.ReadInt64();
        var count = reader.ReadInt32();
        if (step < 0 || count != _buffers.Length)
            throw new InvalidDataException(
                $"Saved optimizer state has {count} buffers at step {step} for a parameter of shape [{string.Join(", ", Shape)}]; " +
                $"this optimizer keeps {_buffers.Length} (was it saved with other options, e.g. AMSGrad or momentum?).");
        var bytes = new byte[BufferBytes];
        for (var i = 0; i < _buffers.Length; i++)
        {
            reader.BaseStream.ReadExactly(bytes);
            CopyBufferFrom(i, bytes);
        }
        Step = step;
    }

    public override void LoadStateDict(OptimizerState source)
    {
        if (source is not ParameterState other || other._buffers.Length != _buffers.Length
            || other.DType != DType || !other.Shape.SequenceEqual(Shape))
            throw new ArgumentException("The optimizer state to load has a different layout.", nameof(source));
        for (var i = 0; i < _buffers.Length; i++)
            other.BufferSpan(i).CopyTo(BufferSpan(i));
        Step = other.Step;
    }

    public override bool ApproximatelyEquals(OptimizerState other) =>
        other is ParameterState state && state.Step == Step && state._buffers.Length == _buffers.Length
        && Enumerable.Range(0, _buffers.Length).All(i => state.BufferSpan(i).SequenceEqual(BufferSpan(i)));

    public void Dispose()
    {
        foreach (var buffer in _buffers)
            buffer.Dispose();
    }
}
