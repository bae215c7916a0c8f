using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PaperReproduction.Tests;

/// <summary>The reproduction's smallest configuration end to end: every output is written and well formed, and a rerun trains nothing.</summary>
public sealed partial class SmokeTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly string _output = Path.Combine(Path.GetTempPath(), "paper-reproduction-smoke-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_output))
            Directory.Delete(_output, recursive: true);
    }

    [Fact]
    public void The_smoke_configuration_writes_every_output_well_formed_and_a_rerun_trains_nothing()
    {
        var arguments = ReproductionArguments.Parse(["--config", "smoke", "--output", _output], out var error, out _);
        Assert.True(arguments is not null, error);
        var config = arguments.Config;

        var first = Reproduction.Run(arguments, "test", TextWriter.Null);

        // What the plan promised is what ran: the ×1 grids and their seed repeats, the multiplier grids, the gradient runs.
        Assert.Equal(config.Plan().Trials, first.TrialsRun + first.GradientRunsTrained);
        Assert.Equal(2 * config.SeedCount, first.GradientRunsTrained);
        var grids = GridStudy.Plan(config);
        Assert.Equal(3 + grids.Count + 2, first.Files.Count);
        Assert.All(first.Files, f => Assert.True(new FileInfo(f).Length > 0, f));

        var runs = ReadCsv(Path.Combine(_output, ReportWriter.RunsFile));
        Assert.Equal(first.TrialsRun, runs.Count);
        foreach (var row in runs)
        {
            Assert.Contains(row["status"], new[] { "Complete", "Failed" });
            var heat = double.Parse(row["heat_value"], CultureInfo.InvariantCulture);
            if (row["status"] == "Complete")
                Assert.Equal(1 - double.Parse(row["test_accuracy"], CultureInfo.InvariantCulture), heat, 12);
            else
                Assert.Equal(GridCell.DivergedValue, heat);
        }
        Assert.Equal(grids.Count * config.Cells, runs.Count(r => r["kind"] == "grid"));

        var spreads = ReadCsv(Path.Combine(_output, ReportWriter.GradientsFile));
        Assert.Equal(4, spreads.Count);
        Assert.All(spreads, s => Assert.True(double.Parse(s["percentile_spread_mean"], CultureInfo.InvariantCulture) > 0));

        foreach (var grid in grids)
        {
            var map = LoadSvg(ReportWriter.HeatMapFigure(grid));
            Assert.Equal(config.Cells, map.Descendants(Svg + "rect").Count(r => (string?)r.Attribute("stroke") == "#ffffff"));
            Assert.Single(map.Descendants(Svg + "rect"), r => (string?)r.Attribute("stroke") == "#e41a1c");
        }
        LoadSvg(ReportWriter.HistogramFigureSvg);
        var png = File.ReadAllBytes(Path.Combine(_output, ReportWriter.HistogramFigure));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);

        var report = File.ReadAllLines(first.ReportPath);
        var verdicts = report.Select(l => VerdictLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], verdicts);

        var before = File.ReadAllText(Path.Combine(_output, ReportWriter.RunsFile));
        var second = Reproduction.Run(arguments, "test", TextWriter.Null);
        Assert.Equal(0, second.TrialsRun);
        Assert.Equal(0, second.GradientRunsTrained);
        Assert.Equal(before, File.ReadAllText(Path.Combine(_output, ReportWriter.RunsFile)));
    }

    [Theory]
    [InlineData("--config", "huge", "--config must be one of smoke, default, full")]
    [InlineData("--workers", "0", "--workers must be a whole number from 1 to 64")]
    [InlineData("--epochs", "3", "Unknown argument '--epochs'")]
    public void Bad_arguments_are_refused_naming_the_argument(string name, string value, string message)
    {
        Assert.Null(ReproductionArguments.Parse([name, value], out var error, out _));
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }

    private XElement LoadSvg(string relative)
    {
        var document = XDocument.Load(Path.Combine(_output, relative));
        Assert.Equal(Svg + "svg", document.Root!.Name);
        return document.Root;
    }

    /// <summary>Reads a CSV with a header, honouring double-quoted fields; every row must have the header's width.</summary>
    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = Fields(lines[0]);
        return [.. lines.Skip(1).Where(l => l.Length > 0).Select(line =>
        {
            var fields = Fields(line);
            Assert.Equal(header.Count, fields.Count);
            return header.Zip(fields).ToDictionary(p => p.First, p => p.Second);
        })];
    }

    private static List<string> Fields(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                    quoted = false;
                else
                    current.Append(c);
            }
            else if (c == '"')
                quoted = true;
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
                current.Append(c);
        }
        Assert.False(quoted, "A quoted field is not closed: " + line);
        fields.Add(current.ToString());
        return fields;
    }

    [GeneratedRegex(@"^- \*\*Claim ([1-6])\*\* — \*\*(reproduced|not reproduced|inconclusive)\*\*: ")]
    private static partial Regex VerdictLine();
}
