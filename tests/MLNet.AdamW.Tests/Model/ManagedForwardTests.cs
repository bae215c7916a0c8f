using MLNet.AdamW.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Model;

/// <summary>The managed forward pass used for scoring equals TorchSharp's forward in eval mode.</summary>
public sealed class ManagedForwardTests
{
    public static TheoryData<string> Networks() => new() { "relu", "gelu+bn", "tanh+dropout", "sigmoid", "leaky+bn", "silu" };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Matches_TorchSharp_in_eval_mode(string kind)
    {
        torch.manual_seed(21);
        var network = Build(kind);
        // Give batch norm non-trivial running statistics and affine parameters.
        network.train();
        using (torch.no_grad())
        {
            for (var i = 0; i < 5; i++)
                network.forward(torch.randn(64, 7) * 3 + 1).Dispose();
            foreach (var p in network.parameters())
                p.add_(torch.randn_like(p) * 0.1);
        }
        network.eval();

        var forward = new ManagedForward(NetworkExport.ToDenseLayers(network));
        using var inputs = torch.randn(50, 7) * 2;
        using var expected = network.forward(inputs);
        var x = inputs.data<float>().ToArray();
        var y = expected.data<float>().ToArray();
        var output = new float[forward.Outputs];
        for (var row = 0; row < 50; row++)
        {
            forward.Run(x.AsSpan(row * 7, 7), output);
            for (var o = 0; o < output.Length; o++)
                Assert.True(Math.Abs(output[o] - y[row * output.Length + o]) <= 1e-5 * (1 + Math.Abs(y[row * output.Length + o])),
                    $"{kind}, row {row}, output {o}: {output[o]} vs {y[row * output.Length + o]}");
        }
    }

    [Fact]
    public void Erf_matches_known_values()
    {
        // erf at 0.5, 1, 2, 3 from tables (Abramowitz & Stegun), and its symmetry.
        Assert.Equal(0.5204998778130465, ManagedForward.Erf(0.5), 1e-14);
        Assert.Equal(0.8427007929497149, ManagedForward.Erf(1), 1e-14);
        Assert.Equal(0.9953222650189527, ManagedForward.Erf(2), 1e-14);
        Assert.Equal(0.9999779095030014, ManagedForward.Erf(3), 1e-14);
        Assert.Equal(-ManagedForward.Erf(1.7), ManagedForward.Erf(-1.7), 1e-15);
    }

    [Fact]
    public void Unsupported_modules_are_named()
    {
        var network = nn.Sequential(nn.Linear(3, 4), nn.Softplus(), nn.Linear(4, 1));
        var e = Assert.Throws<NotSupportedException>(() => NetworkExport.ToDenseLayers(network));
        Assert.Contains("Softplus", e.Message, StringComparison.Ordinal);
    }

    private static nn.Module<Tensor, Tensor> Build(string kind) => kind switch
    {
        "relu" => nn.Sequential(nn.Linear(7, 16), nn.ReLU(), nn.Linear(16, 3)),
        "gelu+bn" => nn.Sequential(nn.Linear(7, 16), nn.BatchNorm1d(16), nn.GELU(), nn.Linear(16, 8), nn.BatchNorm1d(8), nn.GELU(), nn.Linear(8, 2)),
        "tanh+dropout" => nn.Sequential(nn.Linear(7, 16), nn.Tanh(), nn.Dropout(0.5), nn.Linear(16, 1)),
        "sigmoid" => nn.Sequential(nn.Linear(7, 5), nn.Sigmoid(), nn.Linear(5, 4)),
        "leaky+bn" => nn.Sequential(nn.Linear(7, 9), nn.BatchNorm1d(9), nn.LeakyReLU(0.2), nn.Linear(9, 3)),
        "silu" => nn.Sequential(nn.Linear(7, 33), nn.SiLU(), nn.Linear(33, 10)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
