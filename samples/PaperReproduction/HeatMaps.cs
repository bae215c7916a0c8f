using System.Globalization;
using System.Xml.Linq;

namespace PaperReproduction;

/// <summary>
/// The α × λ heat maps, as SVG, in the paper's values: 1 − test accuracy, 1.1 for a diverged run, the best cell
/// by that value framed. (The sweep engine's <c>HeatMap</c> draws the metric itself, accuracy, with diverged
/// cells left out of the colour scale; the paper's picture needs its own value.)
/// </summary>
internal static class HeatMaps
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const int Cell = 56;

    /// <summary>
    /// A heat map of 1 − test accuracy: learning rate across, weight decay down, each cell's value in percent
    /// (NaN for a diverged run, which counts 1.1), darker is better, the best cell framed in red.
    /// </summary>
    public static XDocument Draw(string title, IReadOnlyList<double> learningRates, IReadOnlyList<double> weightDecays, IReadOnlyList<GridCell> cells)
    {
        const int left = 70, top = 40;
        // Wide enough for the title (about 7 pixels a character at 13 px).
        var width = Math.Max(left + Cell * learningRates.Count + 20, 7 * title.Length + 20);
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

    public static void Save(XDocument document, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = System.Xml.XmlWriter.Create(path, new System.Xml.XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) });
        document.Save(writer);
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
