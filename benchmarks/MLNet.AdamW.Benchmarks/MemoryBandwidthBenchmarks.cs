using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace MLNet.AdamW.Benchmarks;

/// <summary>
/// The machine's memory bandwidth, measured in the same run as the optimizer steps, over as many
/// threads as the optimizer uses, on buffers far larger than the caches:
/// a copy (read 256 MiB, write 256 MiB) and an in-place update x ← x + s·y over 64M floats (read
/// 2 × 256 MiB, write 256 MiB back where it was read: the access pattern of an optimizer step, which
/// pays no write-allocate reads).
/// </summary>
public unsafe class MemoryBandwidthBenchmarks
{
    public const long CopyBytes = 256L << 20;
    public const long UpdateLength = 64L << 20;
    public const long UpdateBytes = 3 * sizeof(float) * UpdateLength;

    private byte* _source;
    private byte* _destination;
    private float* _x;
    private float* _y;

    [GlobalSetup]
    public void Setup()
    {
        _source = (byte*)NativeMemory.AlignedAlloc((nuint)CopyBytes, 64);
        _destination = (byte*)NativeMemory.AlignedAlloc((nuint)CopyBytes, 64);
        new Span<byte>(_source, (int)CopyBytes).Fill(1);
        NativeMemory.Clear(_destination, (nuint)CopyBytes);
        _x = Allocate(1);
        _y = Allocate(2);
    }

    private static float* Allocate(float value)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)(UpdateLength * sizeof(float)), 64);
        new Span<float>(p, (int)UpdateLength).Fill(value);
        return p;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(_source);
        NativeMemory.AlignedFree(_destination);
        NativeMemory.AlignedFree(_x);
        NativeMemory.AlignedFree(_y);
    }

    [Benchmark(Description = "copy 256 MiB")]
    public void Copy() => InParallel(CopyBytes, (start, length) =>
        Buffer.MemoryCopy(_source + start, _destination + start, length, length));

    [Benchmark(Description = "in-place x += s*y, 64M floats")]
    public void InPlaceUpdate() => InParallel(UpdateLength, (start, length) =>
    {
        // A scale small enough that the values stay put however often the benchmark runs.
        var scale = new Vector<float>(1e-12f);
        var end = start + length;
        var i = start;
        for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
            Unsafe.WriteUnaligned(_x + i, Unsafe.ReadUnaligned<Vector<float>>(_x + i) + scale * Unsafe.ReadUnaligned<Vector<float>>(_y + i));
        for (; i < end; i++)
            _x[i] += 1e-12f * _y[i];
    });

    private static void InParallel(long total, Action<long, long> body)
    {
        var threads = Environment.ProcessorCount;
        var share = total / threads / 64 * 64;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var start = t * share;
            body(start, t == threads - 1 ? total - start : share);
        });
    }
}
