using System.Globalization;
using System.Xml.Linq;
using MLNet.AdamW.Diagnostics;

namespace PaperReproduction;

/// <summary>The figures, as SVG: α × λ heat maps with the best cell marked, and gradient-scale histograms.</summary>
internal static class Figures
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const int Cell = 56;

    /// <summary>
    /// A heat map of 1 − test accuracy: learning rate across, weight decay down, each cell's value in percent
    /// (NaN for a diverged run, which counts 1.1), darker is better, the best cell framed in red.
    /// </summary>
    public static XDocument HeatMap(string title, IReadOnlyList<double> learningRates, IReadOnlyList<double> weightDecays, IReadOnlyList<GridCell> cells)
    {
        const int left = 70, top = 40;
        var width = left + Cell * learningRates.Count + 20;
        var height = top + Cell * weightDecays.Count + 50;
        var best = GridCells.Best(cells);
        var values = cells.Select(c => c.HeatValue).OfType<double>().ToList();
        double low = values.Count > 0 ? Math.Log(Math.Max(values.Min(), 1e-4)) : 0, high = Math.Log(GridCell.DivergedValue);
        var svg = Root(width, height);
        svg.Add(Text(width / 2.0, 20, title, 13, "middle", bold: true));
        for (var i = 0; i < learningRates.Count; i++)
        {
            svg.Add(Text(left + Cell * (i + 0.5), top + Cell * weightDecays.Count + 18, ReproductionConfig.Number(learningRates[i]), 11, "middle"));
            for (var j = 0; j < weightDecays.Count; j++)
            {
                var cell = cells.FirstOrDefault(c => c.LearningRate == learningRates[i] && c.WeightDecay == weightDecays[j]);
                double x = left + Cell * i, y = top + Cell * j;
                var value = cell?.HeatValue;
                var shade = value is { } v ? (high - Math.Log(Math.Max(v, 1e-4))) / Math.Max(high - low, 1e-9) : 0;
                svg.Add(new XElement(Svg + "rect", new XAttribute("x", N(x)), new XAttribute("y", N(y)), new XAttribute("width", Cell), new XAttribute("height", Cell),
                    new XAttribute("fill", value is null ? "#dddddd" : Shade(shade)), new XAttribute("stroke", "#ffffff")));
                var label = cell is null || value is null ? "—" : cell.Diverged ? "NaN" : (100 * value.Value).ToString("0.00", CultureInfo.InvariantCulture);
                svg.Add(Text(x + Cell / 2.0, y + Cell / 2.0 + 4, label, 11, "middle", fill: shade > 0.55 ? "#ffffff" : "#000000"));
                if (best is not null && ReferenceEquals(cell, best))
                    svg.Add(new XElement(Svg + "rect", new XAttribute("x", N(x + 2)), new XAttribute("y", N(y + 2)), new XAttribute("width", Cell - 4),
                        new XAttribute("height", Cell - 4), new XAttribute("fill", "none"), new XAttribute("stroke", "#e41a1c"), new XAttribute("stroke-width", 4)));
            }
        }
        for (var j = 0; j < weightDecays.Count; j++)
            svg.Add(Text(left - 6, top + Cell * (j + 0.5) + 4, ReproductionConfig.Number(weightDecays[j]), 11, "end"));
        svg.Add(Text(left + Cell * learningRates.Count / 2.0, height - 10, "learning rate α (test error %, best framed)", 11, "middle"));
        svg.Add(Text(14, top + Cell * weightDecays.Count / 2.0, "weight decay λ", 11, "middle", rotate: true));
        return new XDocument(svg);
    }

    /// <summary>
    /// Histograms of ⌊log2|g|⌋ over all coordinates (proportions), one panel per network and recorded epoch,
    /// each titled with its two spreads.
    /// </summary>
    public static XDocument Histograms(string title, IReadOnlyList<(string Label, GradientScaleSnapshot Snapshot)> panels)
    {
        const int panelWidth = 360, panelHeight = 170, columns = 2, margin = 40;
        var rows = (panels.Count + columns - 1) / columns;
        var width = columns * (panelWidth + margin) + margin;
        var height = 40 + rows * (panelHeight + 70);
        var svg = Root(width, height);
        svg.Add(Text(width / 2.0, 20, title, 13, "middle", bold: true));
        var exponents = Enumerable.Range(Log2Histogram.MinExponent, Log2Histogram.BucketCount).ToArray();
        var barWidth = (double)panelWidth / exponents.Length;
        for (var p = 0; p < panels.Count; p++)
        {
            var (label, snapshot) = panels[p];
            var histogram = snapshot.All.Gradient;
            double x0 = margin + (p % columns) * (panelWidth + margin), y0 = 50 + (p / columns) * (panelHeight + 70);
            var top = exponents.Max(histogram.Proportion);
            svg.Add(Text(x0 + panelWidth / 2.0, y0 - 6, string.Create(CultureInfo.InvariantCulture,
                $"{label}, epoch {snapshot.Epoch}: p90/p10 {snapshot.GradientPercentileSpread:0.0}, layer RMS {snapshot.LayerRmsSpread:0.0} (log2)"), 11, "middle"));
            svg.Add(new XElement(Svg + "line", new XAttribute("x1", N(x0)), new XAttribute("y1", N(y0 + panelHeight)),
                new XAttribute("x2", N(x0 + panelWidth)), new XAttribute("y2", N(y0 + panelHeight)), new XAttribute("stroke", "#000000")));
            for (var i = 0; i < exponents.Length; i++)
            {
                var h = top > 0 ? histogram.Proportion(exponents[i]) / top * panelHeight : 0;
                if (h > 0)
                    svg.Add(new XElement(Svg + "rect", new XAttribute("x", N(x0 + i * barWidth)), new XAttribute("y", N(y0 + panelHeight - h)),
                        new XAttribute("width", N(barWidth * 0.9)), new XAttribute("height", N(h)), new XAttribute("fill", "#377eb8")));
                if (exponents[i] % 5 == 0)
                    svg.Add(Text(x0 + (i + 0.5) * barWidth, y0 + panelHeight + 14, exponents[i].ToString(CultureInfo.InvariantCulture), 10, "middle"));
            }
            svg.Add(Text(x0 + panelWidth / 2.0, y0 + panelHeight + 30, string.Create(CultureInfo.InvariantCulture,
                $"⌊log2|g|⌋ (tallest bar {100 * top:0.0} % of {histogram.Total:N0} coordinates)"), 10, "middle"));
        }
        return new XDocument(svg);
    }

    public static void Save(XDocument document, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        document.Save(path);
    }

    private static XElement Root(int width, int height) => new(Svg + "svg",
        new XAttribute("width", width), new XAttribute("height", height), new XAttribute("viewBox", $"0 0 {width} {height}"),
        new XAttribute("font-family", "sans-serif"),
        new XElement(Svg + "rect", new XAttribute("width", width), new XAttribute("height", height), new XAttribute("fill", "#ffffff")));

    private static XElement Text(double x, double y, string text, int size, string anchor, bool bold = false, string fill = "#000000", bool rotate = false)
    {
        var element = new XElement(Svg + "text", new XAttribute("x", N(x)), new XAttribute("y", N(y)), new XAttribute("font-size", size),
            new XAttribute("text-anchor", anchor), new XAttribute("fill", fill), text);
        if (bold)
            element.Add(new XAttribute("font-weight", "bold"));
        if (rotate)
            element.Add(new XAttribute("transform", $"rotate(-90 {N(x)} {N(y)})"));
        return element;
    }

    /// <summary>From pale yellow (0, worst) to dark blue (1, best).</summary>
    private static string Shade(double t)
    {
        t = Math.Clamp(t, 0, 1);
        static int Mix(int a, int b, double t) => (int)Math.Round(a + (b - a) * t);
        return $"#{Mix(0xff, 0x08, t):x2}{Mix(0xf7, 0x30, t):x2}{Mix(0xbc, 0x6b, t):x2}";
    }

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
