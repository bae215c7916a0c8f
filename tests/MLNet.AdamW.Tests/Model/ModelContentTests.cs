using System.Text;
using MLNet.AdamW.Model;
using MLNet.AdamW.Networks;
using MLNet.AdamW.Training;

namespace MLNet.AdamW.Tests.Model;

/// <summary>
/// Model format 3: every network's kind and settings and its named tensors survive a write and a read;
/// an unknown network kind or settings out of range fail as corrupt data, naming what is wrong.
/// </summary>
public sealed class ModelContentTests
{
    public static TheoryData<string> Networks() => new() { "mlp", "cnn", "resnet" };

    private static NetworkDefinition Define(string name) => name switch
    {
        "mlp" => new MlpNetwork(64, [8, 4], Activation.LeakyReLU, batchNorm: true, dropout: 0.25, outputSize: 3),
        "cnn" => new ConvNetNetwork(new ImageShape(1, 8, 8), [4, 6], batchNorm: true, outputSize: 3),
        "resnet" => new ResNetNetwork(new ImageShape(4, 4, 4), 14, 2, batchNorm: false, projectionShortcuts: true, outputSize: 3),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static ModelContent Content(NetworkDefinition network)
    {
        using var module = network.Build(seed: 3);
        return new ModelContent
        {
            Task = 1,
            Network = network,
            Tensors = StateDictionary.FromModule(module),
            OptimizerDescription = "AdamW α=1e-3",
            History = new TrainingHistory([new EpochSummary(1, 0.5, 0.6, 0.7, 1e-3, TimeSpan.FromSeconds(1))], 1, 1, false),
        };
    }

    private static byte[] Bytes(ModelContent content)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            content.Write(writer);
        return stream.ToArray();
    }

    private static ModelContent Read(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        return ModelContent.Read(reader);
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_network_and_its_tensors_survive_a_write_and_a_read(string name)
    {
        var content = Content(Define(name));
        var read = Read(Bytes(content));
        Assert.Equal(content.Network.Kind, read.Network.Kind);
        Assert.Equal(content.Network.LayoutKey, read.Network.LayoutKey);
        Assert.Equal(content.Network.Image, read.Network.Image);
        Assert.Equal((content.Inputs, content.Outputs, content.Task), (read.Inputs, read.Outputs, read.Task));
        Assert.Equal(content.Tensors.Select(t => (t.Name, string.Join("×", t.Shape))), read.Tensors.Select(t => (t.Name, string.Join("×", t.Shape))));
        Assert.Equal(content.Tensors.SelectMany(t => t.Values), read.Tensors.SelectMany(t => t.Values));
        Assert.Equal(content.OptimizerDescription, read.OptimizerDescription);
        Assert.Equal(content.History.Epochs, read.History.Epochs);
        // Written again, the same bytes.
        Assert.Equal(Bytes(content), Bytes(read));
    }

    /// <summary>Rewrites one payload byte (the frame's checksum is recomputed, as a writer of bad data would).</summary>
    private static byte[] WithPayloadByte(ModelContent content, int payloadOffset, byte value)
    {
        var bytes = Bytes(content);
        const int header = 8 + 4 + 8 + 32;
        bytes[header + payloadOffset] = value;
        System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(header)).CopyTo(bytes.AsSpan(header - 32));
        return bytes;
    }

    [Fact]
    public void An_unknown_network_kind_is_corrupt_data_naming_the_kind()
    {
        // The payload starts with the task byte, then the network's kind.
        var e = Assert.Throws<InvalidDataException>(() => Read(WithPayloadByte(Content(Define("cnn")), 1, 77)));
        Assert.Contains("unknown network (kind 77)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_out_of_range_are_corrupt_data_naming_the_setting()
    {
        // ResNet payload: task, kind, inputs, outputs, has-image, 3 sizes, then the depth's low byte.
        var e = Assert.Throws<InvalidDataException>(() => Read(WithPayloadByte(Content(Define("resnet")), 1 + 1 + 4 + 4 + 1 + 12, 15)));
        Assert.Contains("Depth", e.Message, StringComparison.Ordinal);
        Assert.Contains("6n + 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tensors_that_do_not_fit_an_MLP_fail_when_the_model_is_read()
    {
        var content = Content(Define("mlp"));
        var broken = new ModelContent
        {
            Task = content.Task, Network = content.Network, Tensors = content.Tensors.Where(t => t.Name != "output.bias").ToList(),
            OptimizerDescription = content.OptimizerDescription, History = content.History,
        };
        var e = Assert.Throws<InvalidDataException>(() => Read(Bytes(broken)));
        Assert.Contains("output.bias", e.Message, StringComparison.Ordinal);
    }
}
