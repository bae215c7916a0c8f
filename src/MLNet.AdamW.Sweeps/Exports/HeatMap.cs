using System.Globalization;
using System.Text.Json;
using ScottPlot;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// The metric over two numeric options — the paper's learning rate × weight decay picture — as PNG or SVG
/// (ScottPlot). When both options are grids, one cell per pair of values (the best trial of the cell when
/// other options vary too); otherwise one marker per trial at its values. Brighter is better whatever the
/// metric's direction; the best trial is marked in red, a failed trial is drawn grey with "failed" (or
/// "diverged"), a cell whose best trial hides failed ones says how many, pruned trials are labelled with the
/// epoch they stopped at (markers: open circles); an option whose
/// range is log-uniform, or whose grid spans a factor of 10 or more, is on a log axis.
/// </summary>
public static class HeatMap
{
    /// <summary>Draws the heat map of <paramref name="xOption"/> × <paramref name="yOption"/> and saves it as PNG (.png) or SVG (.svg).</summary>
    /// <exception cref="ArgumentException">An option that is not a swept numeric option of the study, or another extension.</exception>
    public static void Save(StudyResult result, string xOption, string yOption, string path, int width = 900, int height = 650)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var plot = Build(result, xOption, yOption);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".png":
                plot.SavePng(path, width, height);
                break;
            case ".svg":
                plot.SaveSvg(path, width, height);
                break;
            default:
                throw new ArgumentException($"A heat map is saved as .png or .svg; \"{path}\" ends in \"{extension}\".", nameof(path));
        }
    }

    internal static Plot Build(StudyResult result, string xOption, string yOption)
    {
        ArgumentNullException.ThrowIfNull(result);
        var x = Axis.Of(result, xOption, nameof(xOption));
        var y = Axis.Of(result, yOption, nameof(yOption));
        var plot = new Plot();
        var scored = result.Trials.Where(t => t.Value is not null && t.Status is TrialStatus.Complete or TrialStatus.Pruned).ToList();
        var low = scored.Count > 0 ? scored.Min(t => t.Value!.Value) : 0;
        var high = scored.Count > 0 ? scored.Max(t => t.Value!.Value) : 1;
        var colormap = new ScottPlot.Colormaps.Viridis();
        Color ColorOf(double value)
        {
            var fraction = high > low ? (value - low) / (high - low) : 1;
            return colormap.GetColor(result.Maximize ? fraction : 1 - fraction);
        }

        var placed = result.Trials.Select(t => (Trial: t, X: x.Position(t), Y: y.Position(t))).Where(p => p.X is not null && p.Y is not null).ToList();
        var best = result.Best;
        if (x.Grid is not null && y.Grid is not null)
        {
            foreach (var cell in placed.GroupBy(p => (p.X!.Value, p.Y!.Value)))
            {
                var (cx, cy) = cell.Key;
                var shown = cell.Select(p => p.Trial).OrderBy(t => t.Value is null ? 1 : 0)
                    .ThenBy(t => t.Value is { } v ? (result.Maximize ? -v : v) : 0).First();
                var rectangle = plot.Add.Rectangle(cx - 0.5, cx + 0.5, cy - 0.5, cy + 0.5);
                rectangle.FillStyle.Color = shown.Value is { } v ? ColorOf(v) : Colors.LightGray;
                rectangle.LineStyle.Color = Colors.White;
                var failed = cell.Count(p => p.Trial.Status == TrialStatus.Failed && p.Trial != shown);
                var diverged = cell.Count(p => p.Trial.Diverged && p.Trial != shown);
                var note = failed == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"\n+{failed} {(diverged == failed ? "diverged" : "failed")}");
                var label = plot.Add.Text(CellLabel(shown) + note, cx, cy);
                label.LabelFontSize = 11;
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontColor = shown.Value is { } w && (result.Maximize ? w - low : high - w) > 0.6 * (high - low) ? Colors.Black : Colors.White;
                if (shown.Value is null)
                    label.LabelFontColor = Colors.DarkRed;
            }
        }
        else
        {
            foreach (var (trial, px, py) in placed)
            {
                if (trial.Value is { } v)
                    plot.Add.Marker(px!.Value, py!.Value, trial.Status == TrialStatus.Pruned ? MarkerShape.OpenCircle : MarkerShape.FilledCircle, 12, ColorOf(v));
                else if (trial.Status == TrialStatus.Failed)
                {
                    plot.Add.Marker(px!.Value, py!.Value, MarkerShape.Eks, 12, Colors.Gray);
                    var label = plot.Add.Text(trial.Diverged ? "diverged" : "failed", px.Value, py.Value);
                    label.LabelFontSize = 9;
                    label.LabelFontColor = Colors.DarkRed;
                    label.LabelAlignment = Alignment.UpperCenter;
                }
            }
        }
        if (best is not null && x.Position(best) is { } bx && y.Position(best) is { } by)
        {
            if (x.Grid is not null && y.Grid is not null)
            {
                var frame = plot.Add.Rectangle(bx - 0.48, bx + 0.48, by - 0.48, by + 0.48);
                frame.FillStyle.Color = Colors.Transparent;
                frame.LineStyle.Color = Colors.Red;
                frame.LineStyle.Width = 3;
                by += 0.3;
            }
            else
            {
                plot.Add.Marker(bx, by, MarkerShape.FilledDiamond, 10, Colors.Red);
            }
            var label = plot.Add.Text("best", bx, by);
            label.LabelFontColor = Colors.Red;
            label.LabelBold = true;
            label.LabelAlignment = Alignment.LowerCenter;
            label.OffsetY = -8;
        }
        x.Apply(plot.Axes.Bottom);
        y.Apply(plot.Axes.Left);
        plot.XLabel(x.Title);
        plot.YLabel(y.Title);
        plot.Title(string.Create(CultureInfo.InvariantCulture,
            $"{result.Name}: {result.Metric} ({(result.Maximize ? "higher" : "lower")} is better, brighter is better){(best is null ? "" : $"; best {best.ValueText}")}"));
        plot.Axes.Margins(0.05, 0.05);
        return plot;
    }

    private static string CellLabel(TrialSummary trial) => trial.Status switch
    {
        TrialStatus.Failed => trial.Diverged ? "diverged" : "failed",
        TrialStatus.Pruned => string.Create(CultureInfo.InvariantCulture, $"{trial.Value:G3}\npruned @{trial.EpochsRun}"),
        TrialStatus.Complete when trial.Value is { } v => v.ToString("G3", CultureInfo.InvariantCulture),
        _ => trial.Status.ToString().ToLowerInvariant(),
    };

    /// <summary>One plot axis: a swept numeric option, as grid cells (index positions) or as values (log10 on a log axis).</summary>
    private sealed class Axis
    {
        private readonly string _option;

        private Axis(string option, double[]? grid, bool log)
        {
            _option = option;
            Grid = grid;
            Log = log;
        }

        public double[]? Grid { get; }

        public bool Log { get; }

        public string Title => Log ? $"{_option} (log scale)" : _option;

        public static Axis Of(StudyResult result, string option, string parameterName)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(option, parameterName);
            using var space = JsonDocument.Parse(result.Study.Definition.SearchSpaceJson);
            var names = new List<string>();
            foreach (var dimension in space.RootElement.GetProperty("dimensions").EnumerateArray())
            {
                var name = dimension.GetProperty("option").GetString()!;
                var kind = dimension.GetProperty("kind").GetString();
                var type = dimension.GetProperty("type").GetString();
                var numeric = type is "double" or "int" or "double?" or "int?";
                if (numeric && kind is "grid" or "uniform" or "loguniform")
                    names.Add(name);
                if (name != option || !names.Contains(name))
                    continue;
                if (kind == "grid")
                {
                    var values = dimension.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).Order().ToArray();
                    return new Axis(option, values, values.All(v => v > 0) && values.Max() / values.Min() >= 10);
                }
                return new Axis(option, null, kind == "loguniform");
            }
            throw new ArgumentException(
                $"\"{option}\" is not a numeric option the study \"{result.Name}\" sweeps; its numeric options: {string.Join(", ", names)}.", parameterName);
        }

        public double? Position(TrialSummary trial)
        {
            if (trial.Numeric(_option) is not { } value)
                return null;
            if (Grid is not null)
                return Array.IndexOf(Grid, value) is var index and >= 0 ? index : null;
            return Log ? Math.Log10(value) : value;
        }

        public void Apply(ScottPlot.IAxis axis)
        {
            if (Grid is not null)
            {
                axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                    [.. Enumerable.Range(0, Grid.Length).Select(i => (double)i)], [.. Grid.Select(v => v.ToString("G3", CultureInfo.InvariantCulture))]);
            }
            else if (Log)
            {
                var min = -12;
                var ticks = Enumerable.Range(min, 25).Select(e => (double)e).ToArray();
                axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, [.. ticks.Select(e => string.Create(CultureInfo.InvariantCulture, $"1e{e:0}"))]);
            }
        }
    }
}
