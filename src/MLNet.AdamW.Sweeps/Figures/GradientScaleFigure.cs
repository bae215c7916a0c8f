using System.Globalization;
using System.Text;
using MLNet.AdamW.Diagnostics;
using ScottPlot;
using SkiaSharp;

namespace MLNet.AdamW.Sweeps.Figures;

/// <summary>
/// Draws gradient-scale histograms as the paper does: the proportion of all coordinates (pooled over
/// layers) in each bucket ⌊log2|·|⌋, one panel per recorded epoch (rows) and run (columns), so that
/// runs — e.g. Adam-ℓ2 and AdamW, with and without batch norm — sit side by side at each epoch.
/// </summary>
/// <remarks>
/// <para>Each panel shows the snapshot of the epoch's first minibatch
/// (<see cref="GradientScaleDiagnostics.ForEpoch"/>), its title the run, the epoch and the two spreads in
/// octaves (P10–P90 of |g|, and the layers' RMS); all panels share the axes. An epoch a run did not record
/// leaves its panel empty, marked "not recorded".</para>
/// <para>Rendered with ScottPlot on SkiaSharp, headless: no display or font configuration is needed
/// (SkiaSharp's Linux native library without dependencies comes with ScottPlot).</para>
/// </remarks>
public static class GradientScaleFigure
{
    private const int PanelWidth = 420;
    private const int PanelHeight = 300;

    /// <summary>Writes the figure to a .png or .svg file (replaced if it exists), the format chosen by the extension.</summary>
    /// <param name="path">Ends in .png or .svg.</param>
    /// <param name="runs">The runs, one column each, in order.</param>
    /// <param name="quantity">Which histogram to draw.</param>
    /// <exception cref="ArgumentException">The extension is neither .png nor .svg, or no run recorded an epoch.</exception>
    public static void Save(string path, IReadOnlyList<GradientScaleRun> runs, GradientScaleQuantity quantity = GradientScaleQuantity.Gradient)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var svg = Path.GetExtension(path).ToUpperInvariant() switch
        {
            ".SVG" => true,
            ".PNG" => false,
            _ => throw new ArgumentException($"The figure's file must end in .png or .svg; '{path}' does not.", nameof(path)),
        };
        File.WriteAllBytes(path, Render(runs, svg, quantity));
    }

    /// <summary>The figure as the bytes of a PNG image or an SVG document.</summary>
    /// <param name="runs">The runs, one column each, in order.</param>
    /// <param name="svg">True for SVG (UTF-8 text), false for PNG.</param>
    /// <param name="quantity">Which histogram to draw.</param>
    /// <exception cref="ArgumentException">No run recorded an epoch, or a run is null.</exception>
    public static byte[] Render(IReadOnlyList<GradientScaleRun> runs, bool svg, GradientScaleQuantity quantity = GradientScaleQuantity.Gradient)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0 || runs.Any(r => r is null || r.Diagnostics is null))
            throw new ArgumentException("Give at least one run, each with its diagnostics.", nameof(runs));
        var epochs = runs.SelectMany(r => r.Diagnostics.Snapshots).Where(s => s.Minibatch == 1).Select(s => s.Epoch).Distinct().Order().ToArray();
        if (epochs.Length == 0)
            throw new ArgumentException("No run recorded the first minibatch of an epoch; record epochs (GradientScaleDiagnosticsOptions.Epochs) to draw them.", nameof(runs));

        var panels = new List<(Plot Plot, int Row, int Column)>();
        var highest = runs.SelectMany(r => r.Diagnostics.Snapshots).Where(s => s.Minibatch == 1)
            .SelectMany(s => Proportions(Histogram(s.All, quantity))).Max();
        for (var row = 0; row < epochs.Length; row++)
        {
            for (var column = 0; column < runs.Count; column++)
                panels.Add((Panel(runs[column], epochs[row], quantity, Math.Max(highest, 1e-3) * 1.1), row, column));
        }
        var width = PanelWidth * runs.Count;
        var height = PanelHeight * epochs.Length;
        try
        {
            return svg ? RenderSvg(panels, width, height) : RenderPng(panels, width, height);
        }
        finally
        {
            foreach (var panel in panels)
                panel.Plot.Dispose();
        }
    }

    private static Plot Panel(GradientScaleRun run, int epoch, GradientScaleQuantity quantity, double top)
    {
        var plot = new Plot();
        var snapshot = run.Diagnostics.ForEpoch(epoch);
        var symbol = quantity switch { GradientScaleQuantity.Update => "|update|", GradientScaleQuantity.Weight => "|x|", _ => "|g|" };
        plot.XLabel($"⌊log2 {symbol}⌋");
        plot.YLabel("proportion");
        plot.Axes.SetLimits(Log2Histogram.MinExponent - 1, Log2Histogram.MaxExponent + 1, 0, top);
        if (snapshot is null)
        {
            Title(plot, string.Create(CultureInfo.InvariantCulture, $"{run.Name}, epoch {epoch}: not recorded"));
            return plot;
        }
        var positions = Enumerable.Range(Log2Histogram.MinExponent, Log2Histogram.BucketCount).Select(e => (double)e).ToArray();
        var bars = plot.Add.Bars(positions, Proportions(Histogram(snapshot.All, quantity)));
        foreach (var bar in bars.Bars)
            bar.LineWidth = 0;
        Title(plot, string.Create(CultureInfo.InvariantCulture,
            $"{run.Name}, epoch {epoch}\nspread: |g| P10–P90 {snapshot.GradientPercentileSpread:F1}, layer RMS {snapshot.LayerRmsSpread:F1} octaves"));
        return plot;
    }

    /// <summary>A title in a font that has its characters (a run name such as "Adam-ℓ2" needs more than the default font).</summary>
    private static void Title(Plot plot, string text)
    {
        plot.Title(text, size: 13);
        plot.Axes.Title.Label.FontName = FontFor(text, plot.Axes.Title.Label.FontName);
    }

    /// <summary>
    /// The preferred font if it has every character of the text, else the first installed family that has them
    /// all (SkiaSharp's dependency-free Linux build has no font fallback of its own), else the preferred one.
    /// </summary>
    private static string FontFor(string text, string preferred)
    {
        var runes = text.EnumerateRunes().Where(r => !Rune.IsControl(r)).Select(r => r.Value).ToArray();
        // The typeface ScottPlot itself resolves a name to (a title is bold).
        bool Covers(string family)
        {
            var typeface = Fonts.GetTypeface(family, bold: true, italic: false);
            return string.Equals(typeface.FamilyName, family, StringComparison.OrdinalIgnoreCase) && runes.All(r => typeface.ContainsGlyph(r));
        }
        // Text fonts first: a math font covers more but sets lines differently.
        var families = SKFontManager.Default.FontFamilies
            .OrderBy(f => f.Contains("Math", StringComparison.OrdinalIgnoreCase)).ThenBy(f => !f.Contains("Sans", StringComparison.OrdinalIgnoreCase)).ThenBy(f => f, StringComparer.Ordinal);
        return Covers(preferred) ? preferred : families.FirstOrDefault(Covers) ?? preferred;
    }

    private static Log2Histogram Histogram(LayerGradientScale layer, GradientScaleQuantity quantity) => quantity switch
    {
        GradientScaleQuantity.Update => layer.Update,
        GradientScaleQuantity.Weight => layer.Weight,
        _ => layer.Gradient,
    };

    private static double[] Proportions(Log2Histogram histogram) =>
        Enumerable.Range(Log2Histogram.MinExponent, Log2Histogram.BucketCount).Select(histogram.Proportion).ToArray();

    private static void Draw(SKCanvas canvas, List<(Plot Plot, int Row, int Column)> panels)
    {
        canvas.Clear(SKColors.White);
        foreach (var (plot, row, column) in panels)
        {
            float left = column * PanelWidth, top = row * PanelHeight;
            // A plot clears its canvas before drawing; the clip keeps that to its own panel.
            canvas.Save();
            canvas.ClipRect(new SKRect(left, top, left + PanelWidth, top + PanelHeight));
            plot.Render(canvas, new PixelRect(left, left + PanelWidth, top + PanelHeight, top));
            canvas.Restore();
        }
    }

    private static byte[] RenderPng(List<(Plot Plot, int Row, int Column)> panels, int width, int height)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {width}×{height} surface.");
        Draw(surface.Canvas, panels);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static byte[] RenderSvg(List<(Plot Plot, int Row, int Column)> panels, int width, int height)
    {
        using var stream = new MemoryStream();
        using (var managed = new SKManagedWStream(stream))
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), managed))
            Draw(canvas, panels);
        return stream.ToArray();
    }
}
