namespace MLNet.AdamW.Diagnostics;

/// <summary>
/// What a <see cref="GradientScaleRecorder"/> recorded during a run: one <see cref="GradientScaleSnapshot"/>
/// per recorded minibatch, in step order, with CSV and JSON export.
/// </summary>
/// <remarks>
/// <para><b>CSV</b> (<see cref="WriteCsv(TextWriter)"/>): a header line, then one row per snapshot and layer, the
/// pooled row <c>(all)</c> first; comma-separated, invariant culture, doubles round-trippable. Columns:
/// <c>step, epoch, minibatch, learning_rate, layer, coordinates, gradient_rms, update_rms, weight_rms,
/// gradient_p10, gradient_p90, gradient_percentile_spread, layer_rms_spread</c> (the last four filled on the
/// <c>(all)</c> row only, empty on layer rows), then the bucket counts <c>g_-27 … g_13</c> of log2|g|,
/// <c>u_-27 … u_13</c> of log2|update| and <c>x_-27 … x_13</c> of log2|x|: <c>g_e</c> is the number of the
/// layer's coordinates with ⌊log2 clip(|g|)⌋ = e (see <see cref="Log2Histogram"/>). A layer name holding a
/// comma or a quote is quoted as RFC 4180 says.</para>
/// <para><b>JSON</b> (<see cref="WriteJson(Stream)"/>, read back by <see cref="ReadJson(Stream)"/>):
/// <c>{"format": "mlnet-adamw.gradient-scale.v1", "minExponent": -27, "maxExponent": 13, "snapshots": [...]}</c>;
/// a snapshot holds <c>step, epoch, minibatch, learningRate, gradientP10, gradientP90,
/// gradientPercentileSpread, layerRmsSpread</c>, <c>all</c> and <c>layers</c>; a layer holds <c>name,
/// coordinates, gradientRms, updateRms, weightRms</c> and the arrays <c>gradient, update, weight</c> of 41
/// counts each, from exponent −27 to 13. A non-finite RMS is written as the string "NaN" or "Infinity".</para>
/// <para>The trainers keep the diagnostics on the trained model (<c>model.Model.Diagnostics</c>), and the
/// saved model carries them: a loaded model has the same diagnostics.</para>
/// </remarks>
public sealed class GradientScaleDiagnostics
{
    internal GradientScaleDiagnostics(IReadOnlyList<GradientScaleSnapshot> snapshots)
    {
        Snapshots = snapshots;
    }

    /// <summary>The recorded minibatches, in step order.</summary>
    public IReadOnlyList<GradientScaleSnapshot> Snapshots { get; }

    /// <summary>The snapshot of an epoch's first minibatch, as the paper records it; null if that epoch was not recorded.</summary>
    /// <param name="epoch">The epoch, from 1.</param>
    public GradientScaleSnapshot? ForEpoch(int epoch) => Snapshots.FirstOrDefault(s => s.Epoch == epoch && s.Minibatch == 1);

    /// <summary>Writes the CSV described in the remarks.</summary>
    /// <param name="writer">Receives the text; not closed.</param>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        GradientScaleCsv.Write(this, writer);
    }

    /// <summary>Writes the CSV described in the remarks to a file (UTF-8, replaced if it exists).</summary>
    /// <param name="path">The file.</param>
    public void WriteCsv(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var writer = new StreamWriter(path);
        WriteCsv(writer);
    }

    /// <summary>Writes the JSON described in the remarks (UTF-8, indented).</summary>
    /// <param name="stream">Receives the bytes; not closed.</param>
    public void WriteJson(Stream stream) => WriteJson(stream, indented: true);

    /// <summary>The JSON, indented for people or compact for the model file.</summary>
    internal void WriteJson(Stream stream, bool indented)
    {
        ArgumentNullException.ThrowIfNull(stream);
        GradientScaleJson.Write(this, stream, indented);
    }

    /// <summary>Writes the JSON described in the remarks to a file (replaced if it exists).</summary>
    /// <param name="path">The file.</param>
    public void WriteJson(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = File.Create(path);
        WriteJson(stream);
    }

    /// <summary>Reads what <see cref="WriteJson(Stream)"/> wrote, e.g. to draw several runs in one figure.</summary>
    /// <param name="stream">The JSON.</param>
    /// <exception cref="InvalidDataException">The JSON is not gradient-scale diagnostics of this format; the message says what is wrong.</exception>
    public static GradientScaleDiagnostics ReadJson(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return GradientScaleJson.Read(stream);
    }

    /// <summary>Reads what <see cref="WriteJson(string)"/> wrote.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">The file is not gradient-scale diagnostics of this format.</exception>
    public static GradientScaleDiagnostics ReadJson(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = File.OpenRead(path);
        return ReadJson(stream);
    }
}
