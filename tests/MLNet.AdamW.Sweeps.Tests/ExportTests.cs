using System.Globalization;
using System.Xml.Linq;
using Microsoft.ML;
using MLNet.AdamW.Optimizers;

namespace MLNet.AdamW.Sweeps.Tests;

public sealed class ExportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlnet-adamw-sweeps-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A 3 × 2 grid over λ and the mode, with one cell (λ &gt; 0 without decay) that fails.</summary>
    private static StudyResult GridStudy(out Study<AdamWMulticlassTrainer.Options> study)
    {
        var ml = new MLContext(1);
        var store = new InMemoryStudyStore();
        var space = new SearchSpace<AdamWMulticlassTrainer.Options>(() => { var o = Penguins.TinySpecies(); o.WeightDecay = 0; return o; })
            .Grid(o => o.WeightDecay, 0.0, 0.01, 0.1)
            .Grid(o => o.LearningRate, 1e-3, 3e-2)
            .Choice(o => o.WeightDecayMode, WeightDecayMode.None, WeightDecayMode.Decoupled);
        study = Study.CreateOrOpen(store, "export, \"quoted\"", space, Penguins.Objective(ml), SweepStrategy.Grid(), seed: 1);
        study.Run(12, new StudyRunOptions { Worker = "worker,1" });
        return study.GetResult();
    }

    [Fact]
    public void The_csv_leaderboard_parses_back_to_every_trial_with_exact_values()
    {
        var result = GridStudy(out _);
        var path = Path.Combine(_folder, "leaderboard.csv");
        LeaderboardExport.Save(result, path);
        var rows = ParseCsv(File.ReadAllText(path));
        var header = rows[0];
        Assert.Equal(["rank", "trial", "status", "MacroAccuracy", "MacroAccuracy_std", "MacroAccuracy_folds", "LearningRate", "WeightDecay", "WeightDecayMode",
            "epochs", "fit_seconds", "attempt", "worker", "seed", "error"], header);
        Assert.Equal(13, rows.Count);
        Assert.All(rows, r => Assert.Equal(header.Count, r.Count));
        var byTrial = rows.Skip(1).ToDictionary(r => int.Parse(r[1], CultureInfo.InvariantCulture));
        foreach (var trial in result.Trials)
        {
            var row = byTrial[trial.Number];
            Assert.Equal(trial.Status.ToString(), row[2]);
            Assert.Equal(trial.Value, row[3].Length == 0 ? null : double.Parse(row[3], CultureInfo.InvariantCulture));
            Assert.Equal(trial.Numeric("LearningRate"), double.Parse(row[6], CultureInfo.InvariantCulture));
            Assert.Equal("worker,1", row[12]);
            Assert.Equal(trial.Error ?? "", row[14]);
        }
        Assert.Equal("1", rows[1][0]);
        Assert.Equal(result.Best!.Number.ToString(CultureInfo.InvariantCulture), rows[1][1]);
        Assert.Equal(4, rows.Count(r => r[2] == "Failed"));                       // λ = 0.01 or 0.1 without decay, at both rates
    }

    [Fact]
    public void The_markdown_leaderboard_is_a_table_with_a_row_per_trial()
    {
        var result = GridStudy(out _);
        var markdown = LeaderboardExport.ToMarkdown(result);
        var lines = markdown.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var table = lines.Where(l => l.StartsWith('|')).ToList();
        Assert.Equal(2 + 12, table.Count);
        var columns = table[0].Count(c => c == '|');
        Assert.All(table, l => Assert.Equal(columns, l.Replace("\\|", "", StringComparison.Ordinal).Count(c => c == '|')));
        Assert.Contains("FAILED", markdown, StringComparison.Ordinal);
        Assert.Contains("| 1 | " + result.Best!.Number.ToString(CultureInfo.InvariantCulture) + " | COMPLETE |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void The_heat_map_is_a_well_formed_svg_and_png_with_the_best_and_failed_cells_marked()
    {
        var result = GridStudy(out _);
        var svg = Path.Combine(_folder, "map.svg");
        var png = Path.Combine(_folder, "map.png");
        HeatMap.Save(result, "LearningRate", "WeightDecay", svg);
        HeatMap.Save(result, "LearningRate", "WeightDecay", png, width: 640, height: 480);
        var document = XDocument.Load(svg);
        Assert.Equal("svg", document.Root!.Name.LocalName);
        var text = document.ToString();
        Assert.Contains("best", text, StringComparison.Ordinal);
        Assert.Contains("failed", text, StringComparison.Ordinal);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal(640, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(480, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
        var error = Assert.Throws<ArgumentException>(() => HeatMap.Save(result, "LearningRate", "WeightDecayMode", svg));
        Assert.Contains("WeightDecayMode", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_heat_map_of_random_trials_puts_log_uniform_options_on_log_axes()
    {
        var ml = new MLContext(1);
        using var store = new InMemoryStudyStore();
        var space = new SearchSpace<AdamWMulticlassTrainer.Options>(Penguins.TinySpecies)
            .LogUniform(o => o.LearningRate, 1e-4, 1e-1).Uniform(o => o.WeightDecay, 0, 0.2);
        var study = Study.CreateOrOpen(store, "random-map", space, Penguins.Objective(ml), SweepStrategy.Random(), seed: 9);
        study.Run(4, new StudyRunOptions { Worker = "w" });
        var svg = Path.Combine(_folder, "random.svg");
        HeatMap.Save(study.GetResult(), "LearningRate", "WeightDecay", svg);
        var text = XDocument.Load(svg).ToString();
        Assert.Contains("LearningRate (log scale)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("WeightDecay (log scale)", text, StringComparison.Ordinal);
        Assert.Contains("1e-2", text, StringComparison.Ordinal);
    }

    /// <summary>RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add(row); row = []; i++; }
            else field.Append(c);
        }
        Assert.False(quoted);
        Assert.Equal(0, field.Length);
        return rows;
    }
}
