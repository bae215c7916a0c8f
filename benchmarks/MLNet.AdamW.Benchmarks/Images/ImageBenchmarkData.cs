using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.AdamW.Samples;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Benchmarks.Images;

/// <summary>
/// The first rows of the shipped MNIST digits twice over: as a cached IDataView for the trainer
/// (784 pixels in [0, 1] as "Features", a key "Label") and as tensors for the hand-written loop.
/// </summary>
internal sealed class ImageBenchmarkData : IDisposable
{
    public static readonly ImageShape Shape = new(1, 28, 28);

    public ImageBenchmarkData(MLContext ml, IReadOnlyList<Digit> digits, int rows)
    {
        var taken = digits.Take(rows).ToList();
        Rows = taken.Count;
        Digits = taken;
        var loaded = ml.Data.LoadFromEnumerable(taken);
        var prepared = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.CopyColumns("Features", nameof(Digit.Pixels)))
            .Fit(loaded).Transform(loaded);
        View = ml.Data.Cache(prepared);
        _ = View.GetColumn<uint>("Label").Count();
        Features = torch.tensor(taken.SelectMany(d => d.Pixels).ToArray(), [Rows, Shape.Size]);
        Labels = torch.tensor(taken.Select(d => (long)d.Label).ToArray());
    }

    public int Rows { get; }

    public IReadOnlyList<Digit> Digits { get; }

    /// <summary>Cached, already read once.</summary>
    public IDataView View { get; }

    /// <summary>[rows, 784], the layout the trainer's minibatches have.</summary>
    public Tensor Features { get; }

    /// <summary>[rows], the digit.</summary>
    public Tensor Labels { get; }

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
