using System.Globalization;

namespace PaperReproduction;

/// <summary>
/// One scaled-down version of the paper's protocol: data, networks, grid, seeds and epochs. The paper's own
/// (CIFAR, 300 epochs, ResNet-20…218 at width 16) is far beyond two CPU cores; each configuration here says
/// what it shrinks.
/// </summary>
internal sealed record ReproductionConfig(
    string Name,
    int TrainRows,
    int TestRows,
    int ImageSide,
    int[] Depths,
    int Width,
    int Epochs,
    int BatchSize,
    double[] LearningRates,
    double[] WeightDecays,
    int SeedCount,
    double[] LossMultipliers,
    double HistogramLearningRate,
    double HistogramWeightDecay)
{
    /// <summary>The seed of the grids and of the split; the best cells are repeated with the next seeds.</summary>
    public const int FirstSeed = 1;

    /// <summary>Measured step times (DESIGN §8; Adam, 128 rows of 14×14, width 8, one libtorch thread): ResNet-20 32 ms, ResNet-56 88 ms, so about 0.9 + 1.56·depth ms.</summary>
    private const double StepMillisecondsBase = 0.9;
    private const double StepMillisecondsPerLayer = 1.56;

    /// <summary>Seconds a worker spends outside training per trial (pipeline, store, evaluation set-up).</summary>
    private const double TrialOverheadSeconds = 0.5;

    /// <summary>Seconds, with the test set scored each epoch (a forward pass costs about a third of a training step).</summary>
    public double TrialSeconds(int depth)
    {
        var rowsPerEpoch = TrainRows + TestRows / 3.0;
        var steps = Epochs * rowsPerEpoch / 128.0;
        var scale = (Width / 8.0) * (Width / 8.0) * (ImageSide / 14.0) * (ImageSide / 14.0);
        // Narrow networks do not get cheaper in proportion: per-layer overhead stays. Keep at least a quarter.
        scale = Math.Max(scale, 0.25);
        return steps * (StepMillisecondsBase + StepMillisecondsPerLayer * depth) * scale / 1000 + TrialOverheadSeconds;
    }

    public int Cells => LearningRates.Length * WeightDecays.Length;

    public int Deepest => Depths.Max();

    /// <summary>Trials: the x1 grids, the loss-multiplier grids, the extra seeds of each x1 best cell.</summary>
    public (int Trials, double WorkerSeconds) Plan()
    {
        double seconds = 0;
        var trials = 0;
        foreach (var depth in Depths)
        {
            // 2 BN settings x 3 optimizers, each a grid plus its best cell's extra seeds.
            var perDepth = 2 * 3 * (Cells + SeedCount - 1);
            if (depth == Deepest)
                perDepth += 2 * LossMultipliers.Length * Cells;
            trials += perDepth;
            seconds += perDepth * TrialSeconds(depth);
        }
        // The gradient-scale runs: BN and no BN on the deepest network, every seed.
        trials += 2 * SeedCount;
        seconds += 2 * SeedCount * TrialSeconds(Deepest) * 1.1;
        return (trials, seconds);
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{TrainRows:N0} training and {TestRows:N0} test digits at {ImageSide}×{ImageSide}; ResNet-{string.Join("/", Depths)} of width {Width}, " +
        $"with and without batch norm; {Epochs} epochs of minibatches of {BatchSize}; α ∈ {{{Numbers(LearningRates)}}} × λ ∈ {{{Numbers(WeightDecays)}}}; " +
        $"{SeedCount} seeds for each best cell; loss ×{string.Join(" and ×", LossMultipliers.Select(c => c.ToString("0.###", CultureInfo.InvariantCulture)))} on ResNet-{Deepest} without batch norm");

    public static string Number(double value) => value.ToString("0.#####E+0", CultureInfo.InvariantCulture).Replace("E+0", "", StringComparison.Ordinal)
        .Replace("E-0", "e-", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal).Replace("E+", "e", StringComparison.Ordinal);

    private static string Numbers(IEnumerable<double> values) => string.Join(", ", values.Select(Number));

    /// <summary>Seconds: the smallest networks on a handful of tiny images, to check that everything runs and is written.</summary>
    public static readonly ReproductionConfig Smoke = new("smoke", TrainRows: 192, TestRows: 64, ImageSide: 7, Depths: [8, 14], Width: 2,
        Epochs: 2, BatchSize: 64, LearningRates: [1e-3, 5e-3], WeightDecays: [0, 1e-3], SeedCount: 2, LossMultipliers: [10, 100],
        HistogramLearningRate: 1e-3, HistogramWeightDecay: 1e-3);

    /// <summary>
    /// About 30 minutes with two workers on two idle cores: 2,500 + 1,500 digits at 14×14, ResNet-20 and -56 of width 8,
    /// 6 epochs, a 4 × 5 sub-grid of the paper's (the paper's α = 5e-5 learns too little in 6 epochs, and λ ∈ {1e-5, 5e-5, 5e-4}
    /// are dropped for time), 3 seeds for the best cells. Minibatches of 32, not the paper's 128: with 2,500 rows, 128 gives
    /// 20 steps an epoch, and ResNet-56 without BN stayed at chance (88.7 % test error at α = 1e-3, λ = 0 after 6 epochs;
    /// 64.4 % with minibatches of 32, whose cost per row measured about the same).
    /// </summary>
    public static readonly ReproductionConfig Default = new("default", TrainRows: 2500, TestRows: 1500, ImageSide: 14, Depths: [20, 56], Width: 8,
        Epochs: 6, BatchSize: 32, LearningRates: [1e-4, 5e-4, 1e-3, 5e-3], WeightDecays: [0, 1e-4, 1e-3, 5e-3, 1e-2], SeedCount: 3,
        LossMultipliers: [10, 100], HistogramLearningRate: 1e-3, HistogramWeightDecay: 1e-3);

    /// <summary>The paper's whole grid on 8,000 + 2,000 digits at 28×28, ResNet-20/56/110 of width 16, 20 epochs: days on two cores.</summary>
    public static readonly ReproductionConfig Full = new("full", TrainRows: 8000, TestRows: 2000, ImageSide: 28, Depths: [20, 56, 110], Width: 16,
        Epochs: 20, BatchSize: 128, LearningRates: [5e-5, 1e-4, 5e-4, 1e-3, 5e-3], WeightDecays: [0, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2], SeedCount: 3,
        LossMultipliers: [10, 100], HistogramLearningRate: 1e-3, HistogramWeightDecay: 1e-3);

    public static IReadOnlyList<ReproductionConfig> All { get; } = [Smoke, Default, Full];
}
