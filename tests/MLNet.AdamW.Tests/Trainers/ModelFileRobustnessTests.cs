using System.Buffers.Binary;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using Microsoft.ML;

namespace MLNet.AdamW.Tests.Trainers;

/// <summary>
/// Damaged model files fail with a clear exception, and the process survives: a truncated zip, our
/// network blob corrupted inside its zip entry, a blob cut short, and a blob of a future format.
/// </summary>
/// <remarks>
/// Our blob inside ML.NET's model entry: "MLNAWMDL" | uint32 format | int64 length | SHA-256 | payload
/// (Model/ModelContent.cs). The files are rewritten with System.IO.Compression.
/// </remarks>
public sealed class ModelFileRobustnessTests : IDisposable
{
    private const int HeaderLength = 8 + 4 + 8 + 32;
    private static readonly byte[] s_magic = Encoding.ASCII.GetBytes("MLNAWMDL");

    private readonly MLContext _ml = new(seed: 1);
    private readonly string _path = TrainerData.TempPath();
    private readonly float[][] _rows;
    private readonly float[][] _scores;

    public ModelFileRobustnessTests()
    {
        var data = TrainerData.PenguinSex(_ml);
        var model = _ml.BinaryClassification.Trainers.AdamW(TrainerData.Quick<AdamWBinaryTrainer.Options>(epochs: 2)).Fit(data);
        _ml.Model.Save(model, data.Schema, _path);
        _rows = TrainerData.FeatureRows(data).Take(20).ToArray();
        _scores = TrainerData.Scores(model.Transform(data)).Take(20).ToArray();
    }

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void The_undamaged_file_loads_and_our_blob_is_where_these_tests_look_for_it()
    {
        var (entry, offset, bytes) = FindBlob();
        Assert.EndsWith("Model.key", entry, StringComparison.Ordinal);
        Assert.Equal(MLNet.AdamW.Model.ModelContent.FormatVersion, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)));
        var length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(offset + 12));
        // ML.NET's string table and tail follow the model's bytes in the entry.
        Assert.InRange(offset + HeaderLength + length, offset + HeaderLength + 100, bytes.Length);
        Assert.IsType<Microsoft.ML.Data.BinaryPredictionTransformer<AdamWBinaryModelParameters>>(new MLContext().Model.Load(_path, out _));
    }

    [Fact]
    public void A_truncated_zip_fails_clearly()
    {
        var bytes = File.ReadAllBytes(_path);
        File.WriteAllBytes(_path, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(_path, out _));
        // ML.NET's own message, before any of our code runs.
        Assert.IsType<FormatException>(e);
        Assert.Contains("zip archive", e.Message, StringComparison.Ordinal);
        StillWorks();
    }

    [Fact]
    public void A_flipped_byte_in_our_network_fails_the_checksum()
    {
        RewriteBlob((bytes, offset) => bytes[offset + HeaderLength + (bytes.Length - offset - HeaderLength) / 2] ^= 0x5A);
        var e = LoadFails();
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
        StillWorks();
    }

    [Fact]
    public void A_flipped_byte_in_the_checksum_itself_fails_the_checksum()
    {
        RewriteBlob((bytes, offset) => bytes[offset + 8 + 4 + 8 + 5] ^= 0x01);
        Assert.Contains("checksum", LoadFails().Message, StringComparison.Ordinal);
        StillWorks();
    }

    [Fact]
    public void A_network_of_a_future_format_asks_for_a_newer_version()
    {
        var future = MLNet.AdamW.Model.ModelContent.FormatVersion + 1;
        RewriteBlob((bytes, offset) => BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset + 8), future));
        var e = LoadFails();
        Assert.Contains("newer", e.Message, StringComparison.Ordinal);
        Assert.Contains($"format {future}", e.Message, StringComparison.Ordinal);
        StillWorks();
    }

    [Fact]
    public void An_entry_cut_short_inside_our_network_fails_in_MLNETs_header_check()
    {
        // ML.NET's model header records where each part ends, so it notices before our code runs:
        // InvalidOperationException "Error during class instantiation" → TargetInvocationException → FormatException.
        RewriteBlob((bytes, offset) => { }, keep: (bytes, offset) => offset + HeaderLength + 100);
        var e = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(_path, out _));
        Assert.IsType<InvalidOperationException>(e);
        Assert.Contains("Error during class instantiation", e.Message, StringComparison.Ordinal);
        Assert.IsType<FormatException>(Innermost(e));
        StillWorks();
    }

    [Fact]
    public void An_absurd_length_is_rejected_before_anything_is_allocated()
    {
        RewriteBlob((bytes, offset) => BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset + 12), long.MaxValue / 2));
        Assert.Contains("truncated or corrupted", LoadFails().Message, StringComparison.Ordinal);
        StillWorks();
    }

    /// <summary>
    /// Loading fails; returns our exception, an InvalidDataException, from inside the wrappers of ML.NET's loaders.
    /// </summary>
    /// <remarks>
    /// ML.NET creates each part of a model by reflection (ComponentCatalog.LoadableClassInfo.CreateInstanceCore) and
    /// rethrows an exception it did not raise itself as the TargetInvocationException the call produced; the
    /// prediction transformer that loads our model is created the same way. So the caller gets
    /// TargetInvocationException → TargetInvocationException → InvalidDataException, whose ToString (what a log
    /// shows) carries our message. Nothing in our loader can unwrap that.
    /// </remarks>
    private Exception LoadFails()
    {
        var e = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(_path, out _));
        var chain = new List<Exception>();
        for (var x = e; x is not null; x = x.InnerException)
            chain.Add(x);
        var describe = string.Join(" → ", chain.Select(x => $"{x.GetType().Name}: {x.Message}"));
        Assert.True(chain.Count == 3 && chain[0] is TargetInvocationException && chain[1] is TargetInvocationException && chain[2] is InvalidDataException,
            $"expected TargetInvocationException → TargetInvocationException → InvalidDataException, got: {describe}");
        Assert.Contains(chain[2].Message, e.ToString(), StringComparison.Ordinal);
        return chain[2];
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner)
            e = inner;
        return e;
    }

    /// <summary>The process is fine: a good model still trains, saves, loads and scores.</summary>
    private void StillWorks()
    {
        var ml = new MLContext(seed: 1);
        var data = TrainerData.PenguinSex(ml);
        var model = ml.BinaryClassification.Trainers.AdamW(TrainerData.Quick<AdamWBinaryTrainer.Options>(epochs: 2)).Fit(data);
        var path = TrainerData.TempPath();
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var scores = TrainerData.Scores(new MLContext().Model.Load(path, out _).Transform(data)).Take(20).ToArray();
            Assert.Equal(_scores, scores);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal(_rows.Length, _scores.Length);
    }

    private (string Entry, int Offset, byte[] Bytes) FindBlob()
    {
        using var zip = ZipFile.OpenRead(_path);
        foreach (var entry in zip.Entries)
        {
            var bytes = Read(entry);
            var offset = bytes.AsSpan().IndexOf(s_magic);
            if (offset >= 0)
                return (entry.FullName, offset, bytes);
        }
        throw new InvalidOperationException("No zip entry holds our network's magic 'MLNAWMDL'.");
    }

    /// <summary>Changes the bytes of the entry that holds our blob (and optionally cuts the entry at a position).</summary>
    private void RewriteBlob(Action<byte[], int> change, Func<byte[], int, int>? keep = null)
    {
        var (name, offset, bytes) = FindBlob();
        change(bytes, offset);
        var length = keep?.Invoke(bytes, offset) ?? bytes.Length;
        using var zip = ZipFile.Open(_path, ZipArchiveMode.Update);
        zip.GetEntry(name)!.Delete();
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(bytes, 0, length);
    }

    private static byte[] Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
