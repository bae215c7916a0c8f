using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MLNet.AdamW.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Model;

/// <summary>
/// Scores with libtorch: the network rebuilt as a TorchSharp module in eval mode, run under
/// <c>no_grad</c> on one row at a time. One module per concurrently scoring thread: a thread takes an
/// idle module (with its own input tensor) from a pool, or builds one, and puts it back when done.
/// </summary>
/// <remarks>
/// A module is not safe to run from two threads at once, so concurrent callers need either a lock around
/// one module or a module each. Measured (benchmarks/MLNet.AdamW.Benchmarks, <c>-- scorer</c>; 1 libtorch
/// thread, 2 cores under a load average of 8): one module per thread scored 0–3 % more rows per second
/// than a lock with 1, 2 and 4 threads, for the CNN (≈ 10,000 rows/s) and ResNet-20 at width 8
/// (≈ 1,900 rows/s) at 1×28×28; on idle cores only separate modules can run rows in parallel. The pool
/// never holds more modules than threads ever scored at once. Per row the input values are copied into
/// the worker's preallocated input tensor and the output read straight from the result's memory; only
/// libtorch's own intermediate tensors (and their TorchSharp handles) are created.
/// </remarks>
internal sealed class TorchScorer : INetworkScorer
{
    private readonly NetworkDefinition _network;
    private readonly IReadOnlyList<NamedTensor> _tensors;
    private readonly ConcurrentBag<Worker> _idle = [];

    public TorchScorer(NetworkDefinition network, IReadOnlyList<NamedTensor> tensors)
    {
        _network = network;
        _tensors = tensors;
        // The first module now: a model that cannot be scored (no libtorch, tensors that do not fit)
        // fails when it is loaded, not in the middle of a cursor.
        _idle.Add(new Worker(network, tensors));
    }

    public int Inputs => _network.InputSize;

    public int Outputs => _network.OutputSize;

    public void Run(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != Inputs)
            throw new ArgumentException($"The network takes {Inputs} features; the row has {input.Length}.", nameof(input));
        if (!_idle.TryTake(out var worker))
            worker = new Worker(_network, _tensors);
        try
        {
            worker.Run(input, output);
        }
        finally
        {
            _idle.Add(worker);
        }
    }

    /// <summary>One module and its input tensor, used by one thread at a time.</summary>
    private sealed class Worker
    {
        private readonly Sequential _module;
        private readonly Tensor _input;

        public Worker(NetworkDefinition network, IReadOnlyList<NamedTensor> tensors)
        {
            _module = TorchModule.Create(network, tensors, $"Scoring a {network.Kind} model");
            _input = torch.zeros(1, network.InputSize, ScalarType.Float32);
        }

        public void Run(ReadOnlySpan<float> input, Span<float> output)
        {
            input.CopyTo(MemoryMarshal.Cast<byte, float>(_input.bytes));
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var result = _module.forward(_input);
            // The output layer's result is a contiguous 1 × outputs row, read in place.
            MemoryMarshal.Cast<byte, float>(result.bytes)[..output.Length].CopyTo(output);
        }
    }
}
