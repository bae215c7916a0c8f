using System.Globalization;
using System.Text;

namespace MLNet.AdamW.Diagnostics;

/// <summary>The CSV form of <see cref="GradientScaleDiagnostics"/> (columns in its remarks).</summary>
internal static class GradientScaleCsv
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(GradientScaleDiagnostics diagnostics, TextWriter writer)
    {
        var header = new StringBuilder("step,epoch,minibatch,learning_rate,layer,coordinates,gradient_rms,update_rms,weight_rms," +
            "gradient_p10,gradient_p90,gradient_percentile_spread,layer_rms_spread");
        foreach (var prefix in new[] { "g", "u", "x" })
        {
            for (var e = Log2Histogram.MinExponent; e <= Log2Histogram.MaxExponent; e++)
                header.Append(Invariant, $",{prefix}_{e}");
        }
        writer.WriteLine(header);
        foreach (var snapshot in diagnostics.Snapshots)
        {
            WriteRow(writer, snapshot, snapshot.All, pooled: true);
            foreach (var layer in snapshot.Layers)
                WriteRow(writer, snapshot, layer, pooled: false);
        }
    }

    private static void WriteRow(TextWriter writer, GradientScaleSnapshot s, LayerGradientScale layer, bool pooled)
    {
        var row = new StringBuilder();
        row.Append(Invariant, $"{s.Step},{s.Epoch},{s.Minibatch},{Number(s.LearningRate)},{Quote(layer.Name)},{layer.Coordinates},");
        row.Append(Invariant, $"{Number(layer.GradientRms)},{Number(layer.UpdateRms)},{Number(layer.WeightRms)},");
        row.Append(pooled
            ? $"{Number(s.GradientPercentile10)},{Number(s.GradientPercentile90)},{Number(s.GradientPercentileSpread)},{Number(s.LayerRmsSpread)}"
            : ",,,");
        foreach (var histogram in new[] { layer.Gradient, layer.Update, layer.Weight })
        {
            foreach (var count in histogram.Counts)
                row.Append(Invariant, $",{count}");
        }
        writer.WriteLine(row);
    }

    private static string Number(double value) => value.ToString("R", Invariant);

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
