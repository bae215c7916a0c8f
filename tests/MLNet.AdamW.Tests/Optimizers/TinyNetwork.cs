using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Optimizers;

/// <summary>A small MLP and a fixed random classification batch, identical for a given seed.</summary>
internal sealed class TinyNetwork : IDisposable
{
    private readonly Tensor _inputs;
    private readonly Tensor _labels;

    public TinyNetwork(int seed, ScalarType dtype = ScalarType.Float32, bool batchNorm = false)
    {
        torch.manual_seed(seed);
        Module = batchNorm
            ? nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.Tanh(), nn.Linear(16, 3))
            : nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3));
        Module.to(dtype);
        _inputs = torch.randn(32, 8, dtype: dtype);
        _labels = torch.randint(0, 3, [32], dtype: ScalarType.Int64);
    }

    public Sequential Module { get; }

    public IReadOnlyList<Parameter> Parameters => Module.parameters().ToList();

    /// <summary>Zeroes the gradients and back-propagates multiplier × cross-entropy.</summary>
    public double Backward(double lossMultiplier = 1)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var p in Module.parameters())
            p.grad = null;
        var loss = nn.functional.cross_entropy(Module.forward(_inputs), _labels) * lossMultiplier;
        loss.backward();
        return loss.ToDouble() / lossMultiplier;
    }

    public double[] Weights() => TensorValues.Of(Module.parameters());

    public void Dispose()
    {
        Module.Dispose();
        _inputs.Dispose();
        _labels.Dispose();
    }
}
