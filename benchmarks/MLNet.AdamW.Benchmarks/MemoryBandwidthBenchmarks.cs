using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace MLNet.AdamW.Benchmarks;

/// <summary>
/// The machine's memory bandwidth, measured in the same run as the optimizer steps, over as many
/// threads as the optimizer uses, on buffers far larger than the caches:
/// a copy (read 256 MiB, write 256 MiB) and a STREAM-style triad a = b + s·c over 32M floats
/// (read 2 × 128 MiB, write 128 MiB).
/// </summary>
public unsafe class MemoryBandwidthBenchmarks
{
    public const long CopyBytes = 256L << 20;
    public const long TriadLength = 32L << 20;
    public const long TriadBytes = 3 * sizeof(float) * TriadLength;

    private byte* _source;
    private byte* _destination;
    private float* _a;
    private float* _b;
    private float* _c;

    [GlobalSetup]
    public void Setup()
    {
        _source = (byte*)NativeMemory.AlignedAlloc((nuint)CopyBytes, 64);
        _destination = (byte*)NativeMemory.AlignedAlloc((nuint)CopyBytes, 64);
        new Span<byte>(_source, (int)CopyBytes).Fill(1);
        NativeMemory.Clear(_destination, (nuint)CopyBytes);
        _a = Allocate(0);
        _b = Allocate(1);
        _c = Allocate(2);
    }

    private static float* Allocate(float value)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)(TriadLength * sizeof(float)), 64);
        new Span<float>(p, (int)TriadLength).Fill(value);
        return p;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(_source);
        NativeMemory.AlignedFree(_destination);
        NativeMemory.AlignedFree(_a);
        NativeMemory.AlignedFree(_b);
        NativeMemory.AlignedFree(_c);
    }

    [Benchmark(Description = "copy 256 MiB")]
    public void Copy() => InParallel(CopyBytes, (start, length) =>
        Buffer.MemoryCopy(_source + start, _destination + start, length, length));

    [Benchmark(Description = "triad 32M floats")]
    public void Triad() => InParallel(TriadLength, (start, length) =>
    {
        var scale = new Vector<float>(3f);
        var end = start + length;
        var i = start;
        for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
            Unsafe.WriteUnaligned(_a + i, Unsafe.ReadUnaligned<Vector<float>>(_b + i) + scale * Unsafe.ReadUnaligned<Vector<float>>(_c + i));
        for (; i < end; i++)
            _a[i] = _b[i] + 3f * _c[i];
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
