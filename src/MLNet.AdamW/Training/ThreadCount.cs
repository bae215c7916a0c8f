using TorchSharp;

namespace MLNet.AdamW.Training;

/// <summary>Sets libtorch's (process-wide) thread count for a run and puts the previous one back when disposed.</summary>
internal readonly struct ThreadCount : IDisposable
{
    private readonly int? _previous;

    private ThreadCount(int? previous) => _previous = previous;

    /// <summary>Sets the count; null leaves libtorch's setting alone.</summary>
    public static ThreadCount Set(int? threads)
    {
        if (threads is not { } count)
            return default;
        var previous = torch.get_num_threads();
        torch.set_num_threads(count);
        return new ThreadCount(previous);
    }

    public void Dispose()
    {
        if (_previous is { } previous)
            torch.set_num_threads(previous);
    }
}
