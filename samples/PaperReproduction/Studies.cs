using System.Globalization;
using MLNet.AdamW;

namespace PaperReproduction;

/// <summary>The three optimizers the paper compares, as the trainers' decay modes.</summary>
internal static class Optimizers
{
    public static readonly WeightDecayMode[] All = [WeightDecayMode.L2, WeightDecayMode.Decoupled, WeightDecayMode.Proximal];

    /// <summary>The two the loss-multiplier check and the BN claim compare.</summary>
    public static readonly WeightDecayMode[] Compared = [WeightDecayMode.L2, WeightDecayMode.Decoupled];

    public static string Name(WeightDecayMode mode) => mode switch
    {
        WeightDecayMode.L2 => "Adam-ℓ2",
        WeightDecayMode.Decoupled => "AdamW",
        WeightDecayMode.Proximal => "AdamProx",
        _ => mode.ToString(),
    };

    public static string Key(WeightDecayMode mode) => mode switch
    {
        WeightDecayMode.L2 => "adam-l2",
        WeightDecayMode.Decoupled => "adamw",
        WeightDecayMode.Proximal => "adamprox",
        _ => mode.ToString().ToLowerInvariant(),
    };
}

/// <summary>A network of the comparison: a ResNet depth, with or without batch norm.</summary>
internal sealed record Setting(int Depth, bool BatchNorm)
{
    public string Key => string.Create(CultureInfo.InvariantCulture, $"resnet{Depth}-{(BatchNorm ? "bn" : "nobn")}");

    public string Label => string.Create(CultureInfo.InvariantCulture, $"ResNet-{Depth} {(BatchNorm ? "with BN" : "without BN")}");
}

/// <summary>One α × λ grid: a network, an optimizer and a loss multiplier.</summary>
internal sealed record GridStudy(Setting Setting, WeightDecayMode Mode, double LossMultiplier)
{
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Setting.Key}-{Optimizers.Key(Mode)}-x{LossMultiplier:0.###}");

    public string Label => string.Create(CultureInfo.InvariantCulture,
        $"{Optimizers.Name(Mode)}, {Setting.Label}{(LossMultiplier == 1 ? "" : $", loss ×{LossMultiplier:0.###}")}");

    /// <summary>The grids of a configuration: every network × optimizer at ×1, then Adam-ℓ2 and AdamW under each multiplier on the deepest network without BN.</summary>
    public static IReadOnlyList<GridStudy> Plan(ReproductionConfig config)
    {
        var grids = new List<GridStudy>();
        // The deepest first: its trials are the longest, so the workers end together.
        foreach (var depth in config.Depths.OrderDescending())
        {
            foreach (var batchNorm in new[] { false, true })
            {
                foreach (var mode in Optimizers.All)
                    grids.Add(new GridStudy(new Setting(depth, batchNorm), mode, 1));
            }
        }
        foreach (var multiplier in config.LossMultipliers)
        {
            foreach (var mode in Optimizers.Compared)
                grids.Add(new GridStudy(new Setting(config.Deepest, false), mode, multiplier));
        }
        return grids;
    }
}
