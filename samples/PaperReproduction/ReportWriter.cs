using System.Globalization;
using System.Text;
using MLNet.AdamW;
using MLNet.AdamW.Sweeps.Figures;

namespace PaperReproduction;

/// <summary>What one invocation did and where it ran, for the report's header.</summary>
internal sealed record RunContext(string Command, int Workers, bool Cosine, TimeSpan WallTime, int TrialsRun, int GradientRunsTrained, string LoadAtStart, string LoadAtEnd);

/// <summary>Writes the outputs: the CSV of every run, the heat maps, the histogram figure and the Markdown report.</summary>
internal static class ReportWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>UTF-8 without a byte-order mark, so the CSV's first column is named as written.</summary>
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public const string ReportFile = "report.md";
    public const string RunsFile = "runs.csv";
    public const string GradientsFile = "gradient-spreads.csv";
    public const string HistogramFigure = "figures/gradient-histograms.png";
    public const string HistogramFigureSvg = "figures/gradient-histograms.svg";

    public static string HeatMapFigure(GridStudy grid) => $"figures/heatmap-{grid.Key}.svg";

    /// <summary>Writes every output file into <paramref name="output"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(string output, Measurements m, ReproductionSweep sweep, RunContext run)
    {
        var files = new List<string>();
        string PathOf(string name)
        {
            var path = Path.Combine(output, name);
            files.Add(path);
            return path;
        }
        WriteRuns(PathOf(RunsFile), m);
        WriteGradients(PathOf(GradientsFile), m);
        foreach (var outcome in m.Grids)
            HeatMaps.Save(HeatMaps.Draw($"{outcome.Grid.Label}: test error (%)", m.Config.LearningRates, m.Config.WeightDecays, outcome.Cells),
                PathOf(HeatMapFigure(outcome.Grid)));
        // Seed 1 of each network, side by side, one row per recorded epoch (diag9's figure of the recorded scales).
        var runs = m.Gradients.Select(g => g.Setting).Distinct().OrderBy(s => s.BatchNorm)
            .Select(s => (Setting: s, Recorded: sweep.ReadGradientScales(s))).Where(r => r.Recorded.Count > 0)
            .Select(r => new GradientScaleRun($"{r.Setting.Label}, seed {ReproductionConfig.FirstSeed}", r.Recorded[0])).ToList();
        if (runs.Count > 0)
        {
            GradientScaleFigure.Save(PathOf(HistogramFigure), runs);
            GradientScaleFigure.Save(PathOf(HistogramFigureSvg), runs);
        }
        File.WriteAllText(PathOf(ReportFile), Report(m, sweep, run), Utf8);
        return files;
    }

    private static void WriteRuns(string path, Measurements m)
    {
        var text = new StringBuilder("study,network,depth,batch_norm,optimizer,loss_multiplier,kind,trial,learning_rate,weight_decay,seed,status,test_accuracy,heat_value,epochs,fit_seconds,error\n");
        foreach (var outcome in m.Grids)
        {
            foreach (var (kind, cells) in new[] { ("grid", outcome.Cells), ("seed", outcome.SeedRuns) })
            {
                foreach (var c in cells)
                {
                    var g = outcome.Grid;
                    text.AppendLine(string.Join(",", g.Key, g.Setting.Key, g.Setting.Depth.ToString(Invariant), g.Setting.BatchNorm ? "true" : "false",
                        Optimizers.Key(g.Mode), g.LossMultiplier.ToString("R", Invariant), kind, c.Number.ToString(Invariant), c.LearningRate.ToString("R", Invariant),
                        c.WeightDecay.ToString("R", Invariant), c.Seed.ToString(Invariant), c.Status.ToString(), c.Accuracy?.ToString("R", Invariant) ?? "",
                        c.HeatValue?.ToString("R", Invariant) ?? "", c.Epochs.ToString(Invariant), c.FitSeconds.ToString("0.###", Invariant), Quote(c.Error)));
                }
            }
        }
        File.WriteAllText(path, text.ToString(), Utf8);
    }

    private static void WriteGradients(string path, Measurements m)
    {
        var text = new StringBuilder("network,batch_norm,epoch,seeds,percentile_spread_mean,percentile_spread_sd,layer_rms_spread_mean,layer_rms_spread_sd\n");
        foreach (var g in m.Gradients)
            text.AppendLine(string.Join(",", g.Setting.Key, g.Setting.BatchNorm ? "true" : "false", g.Epoch.ToString(Invariant), g.Percentile.Count.ToString(Invariant),
                Num(g.Percentile.Mean), Num(g.Percentile.StandardDeviation), Num(g.LayerRms.Mean), Num(g.LayerRms.StandardDeviation)));
        File.WriteAllText(path, text.ToString(), Utf8);
    }

    private static string Num(double value) => double.IsNaN(value) ? "" : value.ToString("R", Invariant);

    private static string Quote(string? text) => text is null ? "" : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal).ReplaceLineEndings(" ") + "\"";

    private static string Report(Measurements m, ReproductionSweep sweep, RunContext run)
    {
        var config = m.Config;
        var claims = Claims.Judge(m);
        var text = new StringBuilder();
        void Line(FormattableString line = null!) => text.AppendLine(line is null ? "" : line.ToString(Invariant));
        Line($"# Reproduction of Zhuang et al. (TMLR 2022): configuration `{config.Name}`");
        Line();
        Line($"Scaled down from the paper's protocol (CIFAR, 300 epochs, ResNet-20…218 of width 16): {config.Describe()}.");
        Line($"Adam (β = 0.9, 0.999; ε = 1e-8) with the decay as the paper's code applies it: per-step decay η_t·λ (the `Schedule` scaling), every parameter decayed; {(run.Cosine ? "a cosine learning-rate schedule" : "a constant learning rate")}.");
        Line($"The value of a cell is 1 − test accuracy on the held-out digits (one split, seed {ReproductionConfig.FirstSeed}, the same for every run); a run whose training loss is NaN (the trainers stop it as diverged) counts 1.1.");
        Line($"All runs of one network and one seed start from the same weights (the trainers draw them from the seed; every grid cell has seed {ReproductionConfig.FirstSeed}); each ×1 grid's best cell is repeated with {sweep.ExtraSeeds.Count} more seed{(sweep.ExtraSeeds.Count == 1 ? "" : "s")}.");
        Line();
        Line($"Command: `{run.Command}` ({run.Workers} worker process{(run.Workers == 1 ? "" : "es")}, one libtorch thread each). Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}; load average {run.LoadAtStart} at the start, {run.LoadAtEnd} at the end.");
        var trials = m.Grids.Sum(g => g.Cells.Count + g.SeedRuns.Count);
        var trialSeconds = m.Grids.Sum(g => g.Cells.Concat(g.SeedRuns).Sum(c => c.FitSeconds));
        Line($"This invocation: {run.WallTime.TotalMinutes:0.0} min wall time, {run.TrialsRun} trials and {run.GradientRunsTrained} gradient-scale runs trained (the rest were already in the study file). All {trials} trials together: {trialSeconds / 60:0.0} worker-minutes of training.");
        Line();
        Line($"## Verdicts");
        Line();
        Line($"A difference counts when it exceeds its tolerance, max(2 standard errors over the seeds, one test digit = {100 * m.Resolution:0.00} points); smaller ones are ties. Rules fixed before the runs; not tuned.");
        Line();
        foreach (var claim in claims)
            Line($"- **Claim {claim.Number}** — **{claim.VerdictText}**: {claim.Claim} {claim.Evidence}");
        Line();
        Line($"## Best cells (×1)");
        Line();
        Line($"| network | optimizer | best (α, λ) at seed {ReproductionConfig.FirstSeed} | test error (%), mean ± sd | seeds | diverged cells |");
        Line($"|---|---|---|---|---|---|");
        foreach (var setting in m.Settings)
        {
            foreach (var mode in Optimizers.All)
            {
                var outcome = m.Grid(setting, mode);
                var error = outcome.BestError;
                Line($"| {setting.Label} | {Optimizers.Name(mode)} | {Claims.Cell(outcome.Best)} | {(error with { Mean = 100 * error.Mean, StandardDeviation = 100 * error.StandardDeviation }).Text} | {error.Count} | {outcome.Cells.Count(c => c.Diverged)} of {outcome.Cells.Count} |");
            }
        }
        Line();
        Line($"## Loss multiplier (ResNet-{config.Deepest} without BN)");
        Line();
        double[] multipliers = [1, .. config.LossMultipliers];
        Line($"| optimizer | {string.Join(" | ", multipliers.Select(c => $"×{c:0.###} best (α, λ), error (%)"))} |");
        Line($"|---|{string.Concat(Enumerable.Repeat("---|", config.LossMultipliers.Length + 1))}");
        foreach (var mode in Optimizers.Compared)
        {
            var cells = multipliers.Select(c => m.Grid(new Setting(config.Deepest, false), mode, c).Best)
                .Select(b => $"{Claims.Cell(b)}, {(b?.HeatValue is { } v ? (100 * v).ToString("0.00", Invariant) : "n/a")}");
            Line($"| {Optimizers.Name(mode)} | {string.Join(" | ", cells)} |");
        }
        Line();
        Line($"## Gradient scales (ResNet-{config.Deepest}, AdamW at α = {ReproductionConfig.Number(config.HistogramLearningRate)}, λ = {ReproductionConfig.Number(config.HistogramWeightDecay)}, first minibatch of the epoch)");
        Line();
        Line($"Spreads in log2 units: the 10th-to-90th percentile distance of |g| over all coordinates, and the distance between the smallest and the largest per-layer gradient RMS; mean ± sd over {sweep.AllSeeds.Count} seeds. Figure: [{HistogramFigure}]({HistogramFigure}).");
        Line();
        Line($"| network | epoch | p90/p10 spread | layer-RMS spread |");
        Line($"|---|---|---|---|");
        foreach (var g in m.Gradients)
            Line($"| {g.Setting.Label} | {g.Epoch} | {g.Percentile.Text} | {g.LayerRms.Text} |");
        Line();
        Line($"## Files");
        Line();
        Line($"- [{RunsFile}]({RunsFile}): every trial (grids and seed repeats) with its options, status, accuracy, heat value and time; [{GradientsFile}]({GradientsFile}): the spreads above.");
        Line($"- Heat maps (learning rate across, weight decay down, best cell framed): {string.Join(", ", m.Grids.Select(g => $"[{g.Grid.Key}]({HeatMapFigure(g.Grid)})"))}.");
        return text.ToString();
    }
}
