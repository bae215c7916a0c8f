using System.Security.Cryptography;
using Microsoft.ML;
using MLNet.AdamW.Diagnostics;
using MLNet.AdamW.Model;
using MLNet.AdamW.Tests.Trainers;

namespace MLNet.AdamW.Tests.Diagnostics;

/// <summary>The model file's trailing sections (format 3): the diagnostics' section, and kinds a later version may add.</summary>
public sealed class DiagnosticsSectionTests
{
    private static readonly Lazy<ModelContent> s_content = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var options = TrainerData.Quick<AdamWMulticlassTrainer.Options>(epochs: 1);
        options.Diagnostics = new GradientScaleDiagnosticsOptions();
        return ml.MulticlassClassification.Trainers.AdamW(options).Fit(TrainerData.PenguinSpecies(ml)).Model.ContentForWarmStart;
    });

    private static byte[] Framed(ModelContent content)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
            content.Write(writer);
        return stream.ToArray();
    }

    /// <summary>The frame with extra bytes appended to its payload, the length and checksum made to fit again.</summary>
    private static byte[] WithAppended(byte[] framed, byte[] extra)
    {
        const int header = 8 + 4 + 8 + 32;
        var payload = framed[header..].Concat(extra).ToArray();
        var result = new byte[header + payload.Length];
        framed.AsSpan(0, 12).CopyTo(result);
        BitConverter.TryWriteBytes(result.AsSpan(12, 8), (long)payload.Length);
        SHA256.HashData(payload).CopyTo(result, 20);
        payload.CopyTo(result, header);
        return result;
    }

    private static ModelContent Read(byte[] framed)
    {
        using var reader = new BinaryReader(new MemoryStream(framed));
        return ModelContent.Read(reader);
    }

    private static byte[] Section(byte kind, byte[] bytes) => [kind, .. BitConverter.GetBytes(bytes.Length), .. bytes];

    [Fact]
    public void A_section_of_a_kind_this_version_does_not_know_is_skipped()
    {
        var framed = Framed(s_content.Value);

        var read = Read(WithAppended(framed, Section(200, [1, 2, 3, 4, 5])));

        Assert.Equal(s_content.Value.Diagnostics!.Snapshots.Count, read.Diagnostics!.Snapshots.Count);
        Assert.Equal(s_content.Value.Diagnostics.Snapshots[0].GradientPercentileSpread, read.Diagnostics.Snapshots[0].GradientPercentileSpread);
    }

    [Fact]
    public void A_damaged_diagnostics_section_fails_as_corrupt_model_data()
    {
        var framed = Framed(s_content.Value);

        Assert.Throws<InvalidDataException>(() => Read(WithAppended(framed, Section(1, "{ not json"u8.ToArray()))));
        Assert.Throws<InvalidDataException>(() => Read(WithAppended(framed, [1, 0xFF, 0xFF, 0xFF, 0x7F])));   // claims 2 GB
    }
}
