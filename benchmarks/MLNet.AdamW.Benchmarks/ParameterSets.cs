using TorchSharp;
using TorchSharp.Modules;

namespace MLNet.AdamW.Benchmarks;

/// <summary>The parameter lists the optimizers are timed on: one huge tensor, many small ones, a few medium ones.</summary>
public static class ParameterSets
{
    public const string Single16M = "16M x 1";
    public const string ResNet20 = "ResNet-20";
    public const string Mlp = "MLP 784-512-512-10";

    public static long[][] Shapes(string set) => set switch
    {
        Single16M => [[16L << 20]],
        ResNet20 => ResNet20Shapes().ToArray(),
        Mlp => [[512, 784], [512], [512, 512], [512], [10, 512], [10]],
        _ => throw new ArgumentOutOfRangeException(nameof(set), set, "Unknown parameter set."),
    };

    /// <summary>
    /// ResNet-20 for CIFAR-10 (He et al. 2016) with 1×1 projection shortcuts: 21 convolutions,
    /// each followed by batch norm (weight, bias), and the classifier: 65 tensors, ~0.27M values.
    /// </summary>
    private static IEnumerable<long[]> ResNet20Shapes()
    {
        IEnumerable<long[]> ConvBn(long input, long output, long kernel)
        {
            yield return [output, input, kernel, kernel];
            yield return [output];
            yield return [output];
        }

        foreach (var s in ConvBn(3, 16, 3))
            yield return s;
        long channels = 16;
        foreach (var width in new long[] { 16, 32, 64 })
        {
            for (var block = 0; block < 3; block++)
            {
                foreach (var s in ConvBn(channels, width, 3).Concat(ConvBn(width, width, 3)))
                    yield return s;
                if (channels != width)
                    foreach (var s in ConvBn(channels, width, 1))
                        yield return s;
                channels = width;
            }
        }
        yield return [10, 64];
        yield return [10];
    }

    /// <summary>Parameters with random values and random gradients, identical for a given seed.</summary>
    public static Parameter[] Create(string set, int seed)
    {
        torch.manual_seed(seed);
        return Shapes(set).Select(shape =>
        {
            var p = new Parameter(torch.randn(shape));
            p.grad = torch.randn(shape) * 1e-2;
            return p;
        }).ToArray();
    }

    public static long Count(string set) => Shapes(set).Sum(s => s.Aggregate(1L, (a, b) => a * b));
}
