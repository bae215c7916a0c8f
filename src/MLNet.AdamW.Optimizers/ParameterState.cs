using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Optimizers;

/// <summary>
/// Per-parameter optimizer state: the step count and the optimizer's buffers (Adam: m, v and,
/// with AMSGrad, the running maximum of v; SGD with momentum: the momentum buffer), each shaped
/// like the parameter, contiguous, on its device.
/// </summary>
/// <remarks>
/// The buffers have the parameter's dtype, except for Float16 and BFloat16 parameters, whose
/// buffers are Float32: v = E[g²] overflows Float16 beyond |g| ≈ 256 and ε = 1e-8 is below its
/// smallest value. Both step implementations use the same buffers, so state saved by one loads
/// into the other.
/// </remarks>
internal sealed class ParameterState : OptimizerState, IDisposable
{
    private readonly Tensor[] _buffers;
    private readonly nint[] _pointers;

    public ParameterState(Parameter parameter, int bufferCount, bool fused) : base(parameter)
    {
        Shape = parameter.shape;
        DType = parameter.dtype;
        BufferDType = ComputeType(DType);
        Length = parameter.numel();
        UsesFusedKernel = fused;
        _buffers = new Tensor[bufferCount];
        _pointers = new nint[bufferCount];
        for (var i = 0; i < bufferCount; i++)
        {
            _buffers[i] = torch.zeros(Shape, BufferDType, parameter.device).DetachFromDisposeScope();
            if (fused)
                _pointers[i] = DataPointer(_buffers[i]);
        }
    }

    public Parameter Parameter => _parameter;

    public long[] Shape { get; }

    /// <summary>The parameter's dtype.</summary>
    public ScalarType DType { get; }

    /// <summary>The dtype of the buffers and of the tensor-operation arithmetic.</summary>
    public ScalarType BufferDType { get; }

    public long Length { get; }

    /// <summary>Whether this parameter is updated by the fused kernel (else by tensor operations).</summary>
    public bool UsesFusedKernel { get; }

    /// <summary>Number of updates applied to this parameter, t in the update rules.</summary>
    public long Step { get; set; }

    public IReadOnlyList<Tensor> Buffers => _buffers;

    /// <summary>Data pointers of the buffers, for the fused kernel: they are ours, contiguous, on the
    /// CPU and only ever written in place, so they are resolved once instead of at every step.</summary>
    public nint Pointer(int buffer) => _pointers[buffer];

    public long BufferBytes => Length * ElementSize(BufferDType);

    /// <summary>Float16 and BFloat16 are computed in Float32; the other types as they are.</summary>
    public static ScalarType ComputeType(ScalarType dtype) =>
        dtype is ScalarType.Float16 or ScalarType.BFloat16 ? ScalarType.Float32 : dtype;

    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => sizeof(float),
        ScalarType.Float64 => sizeof(double),
        _ => throw new NotSupportedException($"Optimizer state of type {dtype} is not supported; it is kept in Float32 or Float64."),
    };

    /// <summary>The data pointer of a contiguous CPU tensor (TorchSharp checks both).</summary>
    public static unsafe nint DataPointer(Tensor tensor) =>
        tensor.numel() == 0 ? 0 : (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));

    /// <summary>A buffer's contents as bytes, copied from its device if it is not on the CPU.</summary>
    public byte[] BufferBytesOf(int buffer)
    {
        using var host = _buffers[buffer].cpu();
        return host.bytes.ToArray();
    }

    private void WriteBuffer(BinaryWriter writer, int buffer)
    {
        using var host = _buffers[buffer].cpu();
        writer.Write(host.bytes);
    }

    public void CopyBufferFrom(int buffer, byte[] bytes)
    {
        var target = _buffers[buffer];
        if (target.device_type == DeviceType.CPU)
        {
            bytes.CopyTo(target.bytes);
            return;
        }
        using var host = torch.zeros(Shape, BufferDType);
        host.bytes = bytes;
        target.copy_(host);
    }

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
            WriteBuffer(writer, i);
    }

    public override void LoadStateDict(BinaryReader reader)
    {
        var step = reader.ReadInt64();
        var count = reader.ReadInt32();
        if (step < 0 || count != _buffers.Length)
            throw new InvalidDataException(
                $"Saved optimizer state has {count} buffers at step {step} for a parameter of shape [{string.Join(", ", Shape)}]; " +
                $"this optimizer keeps {_buffers.Length} (was it saved with other options, e.g. AMSGrad or momentum?).");
        for (var i = 0; i < _buffers.Length; i++)
        {
            var bytes = new byte[BufferBytes];
            reader.BaseStream.ReadExactly(bytes);
            CopyBufferFrom(i, bytes);
        }
        Step = step;
    }

    public override void LoadStateDict(OptimizerState source)
    {
        if (source is not ParameterState other || other._buffers.Length != _buffers.Length
            || other.BufferDType != BufferDType || !other.Shape.SequenceEqual(Shape))
            throw new ArgumentException("The optimizer state to load has a different layout.", nameof(source));
        for (var i = 0; i < _buffers.Length; i++)
            CopyBufferFrom(i, other.BufferBytesOf(i));
        Step = other.Step;
    }

    public override bool ApproximatelyEquals(OptimizerState other) =>
        other is ParameterState state && state.Step == Step && state._buffers.Length == _buffers.Length
        && Enumerable.Range(0, _buffers.Length).All(i => state.BufferBytesOf(i).AsSpan().SequenceEqual(BufferBytesOf(i)));

    public void Dispose()
    {
        foreach (var buffer in _buffers)
            buffer.Dispose();
    }
}
