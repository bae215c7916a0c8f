using MLNet.AdamW.Model;
using MLNet.AdamW.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.AdamW.Tests.Model;

/// <summary>
/// The scorers built from a model's named tensors compute the training module's eval forward: libtorch's
/// for the CNN and the ResNet (batch norm on and off, option-A and projection shortcuts), the managed
/// pass for the MLP; concurrently as on one thread; and the named tensors round-trip TorchSharp's format.
/// </summary>
public sealed class NetworkScorerTests
{
    private const int Rows = 12;
    private static readonly ImageShape Image = new(1, 8, 8);

    public static TheoryData<string> Networks() => new() { "cnn", "cnn-bn", "resnet", "resnet-bn", "resnet-projection", "resnet-projection-bn", "mlp-bn" };

    private static NetworkDefinition Define(string name) => name switch
    {
        "cnn" => new ConvNetNetwork(Image, [4, 8], batchNorm: false, outputSize: 3),
        "cnn-bn" => new ConvNetNetwork(Image, [4, 8], batchNorm: true, outputSize: 3),
        "resnet" => new ResNetNetwork(Image, 8, 4, batchNorm: false, projectionShortcuts: false, outputSize: 2),
        "resnet-bn" => new ResNetNetwork(Image, 8, 4, batchNorm: true, projectionShortcuts: false, outputSize: 2),
        "resnet-projection" => new ResNetNetwork(Image, 8, 4, batchNorm: false, projectionShortcuts: true, outputSize: 1),
        "resnet-projection-bn" => new ResNetNetwork(Image, 14, 4, batchNorm: true, projectionShortcuts: true, outputSize: 1),
        "mlp-bn" => new MlpNetwork(64, [16], Activation.GELU, batchNorm: true, dropout: 0.2, outputSize: 3),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>A trained-looking module: batch norm with non-trivial running statistics, every parameter moved off its initial value.</summary>
    private static TorchSharp.Modules.Sequential Trained(NetworkDefinition definition)
    {
        var module = definition.Build(seed: 5);
        using (torch.no_grad())
        {
            for (var i = 0; i < 3; i++)
                module.forward(torch.randn(16, definition.InputSize) * 2 + 0.5).Dispose();
            foreach (var p in module.parameters())
                p.add_(torch.randn_like(p) * 0.05);
        }
        module.eval();
        return module;
    }

    private static float[] Inputs(NetworkDefinition definition)
    {
        var random = new Random(9);
        return Enumerable.Range(0, Rows * definition.InputSize).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
    }

    private static float[] Score(INetworkScorer scorer, float[] inputs)
    {
        var output = new float[Rows * scorer.Outputs];
        for (var r = 0; r < Rows; r++)
            scorer.Run(inputs.AsSpan(r * scorer.Inputs, scorer.Inputs), output.AsSpan(r * scorer.Outputs, scorer.Outputs));
        return output;
    }

    private static ModelContent Content(NetworkDefinition definition, nn.Module module) => new()
    {
        Task = 1,
        Network = definition,
        Tensors = StateDictionary.FromModule(module),
        OptimizerDescription = "test",
        History = new MLNet.AdamW.Training.TrainingHistory([], null, 0, false),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_scorer_equals_the_training_modules_eval_forward(string name)
    {
        var definition = Define(name);
        using var module = Trained(definition);
        var inputs = Inputs(definition);
        using var batch = torch.tensor(inputs, [Rows, definition.InputSize]);
        using var expected = module.forward(batch);
        var reference = expected.data<float>().ToArray();

        var scorer = INetworkScorer.For(Content(definition, module));
        Assert.IsType(definition is MlpNetwork ? typeof(ManagedForward) : typeof(TorchScorer), scorer);
        Assert.Equal((definition.InputSize, definition.OutputSize), (scorer.Inputs, scorer.Outputs));
        var actual = Score(scorer, inputs);
        Assert.Equal(reference.Length, actual.Length);
        for (var i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(actual[i] - reference[i]) <= 1e-5 * (1 + Math.Abs(reference[i])), $"{name}, value {i}: {actual[i]} vs {reference[i]}");
    }

    [Theory]
    [InlineData("cnn-bn")]
    [InlineData("resnet-projection-bn")]
    [InlineData("mlp-bn")]
    public void Eight_threads_scoring_at_once_give_what_one_thread_gives(string name)
    {
        var definition = Define(name);
        using var module = Trained(definition);
        var inputs = Inputs(definition);
        var scorer = INetworkScorer.For(Content(definition, module));
        var expected = Score(scorer, inputs);

        var results = new float[8][];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            float[] last = [];
            for (var repeat = 0; repeat < 5; repeat++)
                last = Score(scorer, inputs);
            results[t] = last;
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.All(results, r => Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), r.Select(BitConverter.SingleToInt32Bits)));
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_named_tensors_are_TorchSharps_state_dict_and_write_its_bytes(string name)
    {
        var definition = Define(name);
        using var module = Trained(definition);
        using var saved = new MemoryStream();
        module.save(saved);
        var bytes = saved.ToArray();

        var tensors = StateDictionary.FromModule(module);
        Assert.Equal(module.state_dict().Keys, tensors.Select(t => t.Name));
        Assert.Equal(bytes, StateDictionary.ToBytes(tensors));
        var read = StateDictionary.Read(bytes);
        Assert.Equal(tensors.Select(t => (t.Name, string.Join(",", t.Shape))), read.Select(t => (t.Name, string.Join(",", t.Shape))));
        Assert.Equal(tensors.SelectMany(t => t.Values), read.SelectMany(t => t.Values));
    }

    [Fact]
    public void Tensors_that_do_not_fit_the_network_are_refused_naming_the_tensor()
    {
        var definition = Define("cnn-bn");
        using var module = Trained(definition);
        var tensors = StateDictionary.FromModule(module);
        var wrongShape = tensors.Select(t => t.Name == "conv2.weight" ? t with { Shape = [8, 4, 1, 9] } : t).ToList();
        var e = Assert.Throws<InvalidDataException>(() => new TorchScorer(definition, wrongShape));
        Assert.Contains("conv2.weight", e.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<InvalidDataException>(() => new TorchScorer(definition, tensors.Where(t => t.Name != "norm1.running_mean").ToList()));
        Assert.Contains("norm1.running_mean", missing.Message, StringComparison.Ordinal);
    }
}
