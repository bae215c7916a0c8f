using MLNet.AdamW.Model;
using MLNet.AdamW.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Model;

/// <summary>
/// The managed forward pass used for scoring, folded from the MLP's named tensors, equals TorchSharp's
/// forward of the module in eval mode.
/// </summary>
public sealed class ManagedForwardTests
{
    public static TheoryData<string> Networks() => new() { "relu", "gelu+bn", "tanh+dropout", "sigmoid", "leaky+bn", "silu" };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Matches_TorchSharp_in_eval_mode(string kind)
    {
        var definition = Define(kind);
        var network = definition.Build(seed: 21);
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

        var forward = new ManagedForward(NetworkExport.ToDenseLayers(definition, StateDictionary.FromModule(network)));
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
    public void A_missing_or_misshapen_tensor_is_named()
    {
        var definition = Define("gelu+bn");
        using var network = definition.Build(seed: 1);
        var tensors = StateDictionary.FromModule(network);
        var missing = Assert.Throws<InvalidDataException>(() => NetworkExport.ToDenseLayers(definition, tensors.Where(t => t.Name != "norm2.running_var").ToList()));
        Assert.Contains("norm2.running_var", missing.Message, StringComparison.Ordinal);
        var flat = tensors.Select(t => t.Name == "linear1.weight" ? t with { Shape = [t.Values.Length] } : t).ToList();
        var rank = Assert.Throws<InvalidDataException>(() => NetworkExport.ToDenseLayers(definition, flat));
        Assert.Contains("linear1.weight", rank.Message, StringComparison.Ordinal);
    }

    private static MlpNetwork Define(string kind) => kind switch
    {
        "relu" => new MlpNetwork(7, [16], Activation.ReLU, false, 0, 3),
        "gelu+bn" => new MlpNetwork(7, [16, 8], Activation.GELU, true, 0, 2),
        "tanh+dropout" => new MlpNetwork(7, [16], Activation.Tanh, false, 0.5, 1),
        "sigmoid" => new MlpNetwork(7, [5], Activation.Sigmoid, false, 0, 4),
        "leaky+bn" => new MlpNetwork(7, [9], Activation.LeakyReLU, true, 0, 3),
        "silu" => new MlpNetwork(7, [33], Activation.SiLU, false, 0, 10),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
