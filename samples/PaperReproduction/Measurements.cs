using System.Globalization;
using MLNet.AdamW;
using MLNet.AdamW.Diagnostics;

namespace PaperReproduction;

/// <summary>A sample mean with its standard deviation (n − 1) over seeds.</summary>
internal sealed record Spread(double Mean, double StandardDeviation, int Count)
{
    public static Spread Of(IReadOnlyList<double> values)
    {
        var mean = values.Count > 0 ? values.Average() : double.NaN;
        var sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : double.NaN;
        return new Spread(mean, sd, values.Count);
    }

    /// <summary>"mean ± sd" with two decimals; "n/a" for a deviation of fewer than two values.</summary>
    public string Text => string.Create(CultureInfo.InvariantCulture,
        $"{Mean:0.00} ± {(double.IsNaN(StandardDeviation) ? "n/a" : StandardDeviation.ToString("0.00", CultureInfo.InvariantCulture))}");

    /// <summary>The squared standard error of the mean (NaN with fewer than two values).</summary>
    public double Variance => Count > 1 ? StandardDeviation * StandardDeviation / Count : double.NaN;
}

/// <summary>One grid's outcome: its cells, its best cell (first seed) and that cell's error over every seed.</summary>
internal sealed record GridOutcome(GridStudy Grid, IReadOnlyList<GridCell> Cells, GridCell? Best, IReadOnlyList<GridCell> SeedRuns)
{
    public bool Complete(int cells) => Cells.Count == cells && Cells.All(c => c.HeatValue is not null);

    /// <summary>The best cell's heat value for each seed (the grid's own run and the repeats).</summary>
    public Spread BestError => Spread.Of([.. new[] { Best }.Concat(SeedRuns).Select(c => c?.HeatValue).OfType<double>()]);
}

/// <summary>The gradient spreads of one network at one epoch, over seeds.</summary>
internal sealed record GradientSpread(Setting Setting, int Epoch, Spread Percentile, Spread LayerRms);

/// <summary>Everything the report states, read from the store and the gradient files.</summary>
internal sealed class Measurements
{
    public required ReproductionConfig Config { get; init; }

    public required IReadOnlyList<GridOutcome> Grids { get; init; }

    public required IReadOnlyList<GradientSpread> Gradients { get; init; }

    public GridOutcome Grid(Setting setting, WeightDecayMode mode, double multiplier = 1) =>
        Grids.Single(g => g.Grid.Setting == setting && g.Grid.Mode == mode && g.Grid.LossMultiplier == multiplier);

    public IEnumerable<Setting> Settings => Config.Depths.Order().SelectMany(d => new[] { new Setting(d, false), new Setting(d, true) });

    /// <summary>The smallest difference a comparison can show: one test digit.</summary>
    public double Resolution => 1.0 / Config.TestRows;

    public static Measurements Read(ReproductionSweep sweep, ReproductionConfig config)
    {
        var grids = GridStudy.Plan(config).Select(grid =>
        {
            var cells = GridCells.Read(sweep.OpenGrid(grid).GetResult());
            var best = GridCells.Best(cells);
            var seeds = best is null || grid.LossMultiplier != 1 || sweep.ExtraSeeds.Count == 0
                ? []
                : GridCells.Read(sweep.OpenSeeds(grid, best.LearningRate, best.WeightDecay).GetResult());
            return new GridOutcome(grid, cells, best, seeds);
        }).ToList();

        var gradients = new List<GradientSpread>();
        foreach (var batchNorm in new[] { false, true })
        {
            var setting = new Setting(config.Deepest, batchNorm);
            var runs = sweep.ReadGradientScales(setting);
            foreach (var epoch in new[] { 1, config.Epochs }.Distinct())
            {
                var snapshots = runs.Select(r => r.ForEpoch(epoch)).OfType<GradientScaleSnapshot>().ToList();
                gradients.Add(new GradientSpread(setting, epoch, Spread.Of([.. snapshots.Select(s => s.GradientPercentileSpread)]),
                    Spread.Of([.. snapshots.Select(s => s.LayerRmsSpread)])));
            }
        }
        return new Measurements { Config = config, Grids = grids, Gradients = gradients };
    }
}
