using System.Globalization;
using MLNet.AdamW;

namespace PaperReproduction;

/// <summary>What a measurement says about a claim.</summary>
internal enum Verdict
{
    Reproduced,
    NotReproduced,
    Inconclusive,
}

/// <summary>One claim of the paper, its verdict and the numbers behind it.</summary>
internal sealed record ClaimResult(int Number, string Claim, Verdict Verdict, string Evidence)
{
    public string VerdictText => Verdict switch
    {
        Verdict.Reproduced => "reproduced",
        Verdict.NotReproduced => "not reproduced",
        _ => "inconclusive",
    };
}

/// <summary>
/// The six claims of the paper's comparison (issue 9 §2), each judged by a fixed rule written before any run:
/// a difference counts when it exceeds max(2 standard errors over seeds, one test digit); smaller ones are ties.
/// </summary>
internal static class Claims
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static IReadOnlyList<ClaimResult> Judge(Measurements m) =>
    [
        AdamWAtLeastAdamL2(m),
        AdvantageGrowsWithoutBnAndDepth(m),
        OnParWithBn(m),
        BestCellUnderLossMultiplier(m),
        GradientsSpanMoreScalesWithoutBn(m),
        AdamProxLikeAdamW(m),
    ];

    /// <summary>Adam-ℓ2's best error minus AdamW's (positive: AdamW better), and its tolerance.</summary>
    public static (double Difference, double Tolerance) Advantage(Measurements m, Setting setting) =>
        Difference(m, m.Grid(setting, WeightDecayMode.L2).BestError, m.Grid(setting, WeightDecayMode.Decoupled).BestError);

    /// <summary>a − b, with the tolerance of their seed spreads.</summary>
    private static (double Difference, double Tolerance) Difference(Measurements m, Spread a, Spread b) => (a.Mean - b.Mean, Tolerance(m, [a, b]));

    private static double Tolerance(Measurements m, IEnumerable<Spread> terms)
    {
        var variance = terms.Sum(t => t.Variance);
        return Math.Max(double.IsNaN(variance) ? double.NaN : 2 * Math.Sqrt(variance), m.Resolution);
    }

    private static int Sign(double difference, double tolerance) =>
        double.IsNaN(difference) || double.IsNaN(tolerance) ? int.MinValue : difference > tolerance ? 1 : difference < -tolerance ? -1 : 0;

    private static string Points(double value) => double.IsNaN(value) ? "n/a" : (100 * value).ToString("+0.00;-0.00;0.00", Invariant);

    private static string Pm(double difference, double tolerance) => $"{Points(difference)} ± {(100 * tolerance).ToString("0.00", Invariant)}";

    private static ClaimResult AdamWAtLeastAdamL2(Measurements m)
    {
        var parts = m.Settings.Select(s => (Setting: s, Value: Advantage(m, s))).ToList();
        var signs = parts.Select(p => Sign(p.Value.Difference, p.Value.Tolerance)).ToList();
        var verdict = signs.Contains(int.MinValue) ? Verdict.Inconclusive
            : signs.Contains(-1) ? Verdict.NotReproduced
            : signs.Contains(1) ? Verdict.Reproduced
            : Verdict.Inconclusive;
        return new ClaimResult(1, "AdamW's best cell is at least as good as Adam-ℓ2's.", verdict,
            "Adam-ℓ2's best error − AdamW's, in points (± tolerance): " + string.Join("; ", parts.Select(p => $"{p.Setting.Label} {Pm(p.Value.Difference, p.Value.Tolerance)}")) +
            (verdict == Verdict.Inconclusive && !signs.Contains(int.MinValue) ? ". Every difference is within the seed spread." : "."));
    }

    private static ClaimResult AdvantageGrowsWithoutBnAndDepth(Measurements m)
    {
        var comparisons = new List<(string Text, double Difference, double Tolerance)>();
        Spread[] Terms(Setting s) => [m.Grid(s, WeightDecayMode.L2).BestError, m.Grid(s, WeightDecayMode.Decoupled).BestError];
        foreach (var depth in m.Config.Depths.Order())
        {
            Setting noBn = new(depth, false), bn = new(depth, true);
            var value = Advantage(m, noBn).Difference - Advantage(m, bn).Difference;
            comparisons.Add(($"ResNet-{depth}: advantage without BN − with BN {{0}}", value, Tolerance(m, [.. Terms(noBn), .. Terms(bn)])));
        }
        var depths = m.Config.Depths.Order().ToList();
        if (depths.Count > 1)
        {
            Setting deep = new(depths[^1], false), shallow = new(depths[0], false);
            var value = Advantage(m, deep).Difference - Advantage(m, shallow).Difference;
            comparisons.Add(($"without BN: advantage at ResNet-{depths[^1]} − at ResNet-{depths[0]} {{0}}", value, Tolerance(m, [.. Terms(deep), .. Terms(shallow)])));
        }
        var signs = comparisons.Select(c => Sign(c.Difference, c.Tolerance)).ToList();
        var verdict = depths.Count < 2 || signs.Contains(int.MinValue) ? Verdict.Inconclusive
            : signs.Contains(-1) ? Verdict.NotReproduced
            : signs.All(s => s == 1) ? Verdict.Reproduced
            : Verdict.Inconclusive;
        return new ClaimResult(2, "AdamW's advantage is larger without BN, and larger for the deeper network.", verdict,
            string.Join("; ", comparisons.Select(c => string.Format(Invariant, c.Text, Pm(c.Difference, c.Tolerance)))) + " (points; the claim needs each > 0 beyond its tolerance).");
    }

    private static ClaimResult OnParWithBn(Measurements m)
    {
        var bn = m.Config.Depths.Order().Select(d => new Setting(d, true)).ToList();
        var gaps = bn.Select(s => (Setting: s, Value: Advantage(m, s))).ToList();
        var signs = gaps.Select(g => Sign(g.Value.Difference, g.Value.Tolerance)).ToList();
        var bests = bn.SelectMany(s => Optimizers.Compared.Select(mode => m.Grid(s, mode).Best)).ToList();
        var zero = bests.Count(b => b is { WeightDecay: 0 });
        var onPar = signs.All(s => s == 0);
        var lambdaZeroOften = 2 * zero >= bests.Count;
        var verdict = signs.Contains(int.MinValue) ? Verdict.Inconclusive
            : onPar && lambdaZeroOften ? Verdict.Reproduced
            : !onPar && !lambdaZeroOften ? Verdict.NotReproduced
            : Verdict.Inconclusive;
        return new ClaimResult(3, "With BN, Adam-ℓ2 and AdamW are on par, and λ = 0 is often best.", verdict,
            "with BN, Adam-ℓ2's best error − AdamW's: " + string.Join("; ", gaps.Select(g => $"ResNet-{g.Setting.Depth} {Pm(g.Value.Difference, g.Value.Tolerance)}")) +
            $" points ({(onPar ? "on par" : "not on par")}); λ = 0 is the best cell in {zero} of {bests.Count} BN grids of Adam-ℓ2 and AdamW" +
            (onPar == lambdaZeroOften ? "." : " (one half holds, the other does not)."));
    }

    private static ClaimResult BestCellUnderLossMultiplier(Measurements m)
    {
        var setting = new Setting(m.Config.Deepest, false);
        string Moves(WeightDecayMode mode, out bool stays, out bool complete)
        {
            var baseline = m.Grid(setting, mode);
            var cells = new List<string> { $"×1 {Cell(baseline.Best)}" };
            stays = true;
            complete = baseline.Complete(m.Config.Cells);
            foreach (var c in m.Config.LossMultipliers)
            {
                var scaled = m.Grid(setting, mode, c);
                complete &= scaled.Complete(m.Config.Cells);
                stays &= Same(scaled.Best, baseline.Best);
                var change = baseline.Cells.Join(scaled.Cells, a => (a.LearningRate, a.WeightDecay), b => (b.LearningRate, b.WeightDecay),
                    (a, b) => Math.Abs((a.HeatValue ?? double.NaN) - (b.HeatValue ?? double.NaN))).DefaultIfEmpty(double.NaN).Average();
                cells.Add(string.Create(Invariant, $"×{c:0.###} {Cell(scaled.Best)} (cells change by {100 * change:0.00} points on average)"));
            }
            return $"{Optimizers.Name(mode)}: {string.Join(" → ", cells)}";
        }
        var adamW = Moves(WeightDecayMode.Decoupled, out var adamWStays, out var adamWComplete);
        var adamL2 = Moves(WeightDecayMode.L2, out var l2Stays, out var l2Complete);
        var verdict = !(adamWComplete && l2Complete) ? Verdict.Inconclusive
            : adamWStays && !l2Stays ? Verdict.Reproduced
            : Verdict.NotReproduced;
        return new ClaimResult(4, $"Under loss ×{string.Join(" and ×", m.Config.LossMultipliers.Select(c => c.ToString("0.###", Invariant)))}, AdamW's best cell stays while Adam-ℓ2's moves (ResNet-{m.Config.Deepest} without BN).",
            verdict, $"best (α, λ): {adamW}; {adamL2}" + (adamWComplete && l2Complete ? "." : "; some grids are incomplete."));
    }

    private static ClaimResult GradientsSpanMoreScalesWithoutBn(Measurements m)
    {
        var parts = new List<string>();
        var signs = new List<int>();
        foreach (var epoch in m.Gradients.Select(g => g.Epoch).Distinct())
        {
            var noBn = m.Gradients.Single(g => g.Epoch == epoch && !g.Setting.BatchNorm);
            var bn = m.Gradients.Single(g => g.Epoch == epoch && g.Setting.BatchNorm);
            foreach (var (name, a, b) in new[] { ("p90/p10 of |g|", noBn.Percentile, bn.Percentile), ("smallest-to-largest layer RMS", noBn.LayerRms, bn.LayerRms) })
            {
                var difference = a.Mean - b.Mean;
                var variance = a.Variance + b.Variance;
                var tolerance = double.IsNaN(variance) ? double.NaN : 2 * Math.Sqrt(variance);
                signs.Add(Sign(difference, tolerance));
                parts.Add($"epoch {epoch}, {name}: {a.Text} without BN vs {b.Text} with BN");
            }
        }
        var verdict = signs.Count == 0 || signs.Contains(int.MinValue) ? Verdict.Inconclusive
            : signs.Contains(-1) ? Verdict.NotReproduced
            : signs.All(s => s == 1) ? Verdict.Reproduced
            : Verdict.Inconclusive;
        return new ClaimResult(5, $"Gradients span more scales without BN (ResNet-{m.Config.Deepest}, AdamW at α = {ReproductionConfig.Number(m.Config.HistogramLearningRate)}, λ = {ReproductionConfig.Number(m.Config.HistogramWeightDecay)}).",
            verdict, "log2 units, mean ± sd over seeds: " + string.Join("; ", parts) + " (the claim needs each larger without BN beyond 2 standard errors).");
    }

    private static ClaimResult AdamProxLikeAdamW(Measurements m)
    {
        var parts = m.Settings.Select(s =>
        {
            var (difference, tolerance) = Difference(m, m.Grid(s, WeightDecayMode.Proximal).BestError, m.Grid(s, WeightDecayMode.Decoupled).BestError);
            var sameCell = Same(m.Grid(s, WeightDecayMode.Proximal).Best, m.Grid(s, WeightDecayMode.Decoupled).Best);
            return (Setting: s, Difference: difference, Tolerance: tolerance, SameCell: sameCell);
        }).ToList();
        var signs = parts.Select(p => Sign(p.Difference, p.Tolerance)).ToList();
        var verdict = signs.Contains(int.MinValue) ? Verdict.Inconclusive
            : signs.All(s => s == 0) ? Verdict.Reproduced
            : Verdict.NotReproduced;
        return new ClaimResult(6, "AdamProx performs like AdamW.", verdict,
            "AdamProx's best error − AdamW's, in points: " + string.Join("; ", parts.Select(p => $"{p.Setting.Label} {Pm(p.Difference, p.Tolerance)}{(p.SameCell ? " (same cell)" : "")}")) + ".");
    }

    private static bool Same(GridCell? a, GridCell? b) => a is not null && b is not null && a.LearningRate == b.LearningRate && a.WeightDecay == b.WeightDecay;

    public static string Cell(GridCell? cell) => cell is null ? "(none)" : $"({ReproductionConfig.Number(cell.LearningRate)}, {ReproductionConfig.Number(cell.WeightDecay)})";
}
