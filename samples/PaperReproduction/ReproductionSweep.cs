using System.Globalization;
using Microsoft.ML;
using MLNet.AdamW;
using MLNet.AdamW.Diagnostics;
using MLNet.AdamW.Sweeps;
using MLNet.AdamW.Training;

namespace PaperReproduction;

/// <summary>
/// The sweeps of one configuration, through the sweep engine and one SQLite study file: any number of workers
/// (processes) run them at once, and a rerun claims only what is not finished.
/// </summary>
/// <remarks>
/// Every run of one network × BN setting and one seed starts from the same weights: the trainers draw the
/// initial weights from <c>torch.manual_seed(Seed)</c> before anything else, and the grids fix the seed
/// (the engine would otherwise give each trial its own), so the grid cells and the three optimizers start
/// from identical networks, as the paper's saved initial model does.
/// </remarks>
internal sealed class ReproductionSweep
{
    private readonly ReproductionArguments _arguments;
    private readonly IStudyStore _store;
    private readonly SweepObjective<AdamWMulticlassTrainer.Options> _objective;
    private readonly MLContext _ml;
    private readonly IDataView _data;
    private readonly TextWriter _log;
    private readonly string _worker;

    public ReproductionSweep(ReproductionArguments arguments, IStudyStore store, TextWriter log, string worker)
    {
        _arguments = arguments;
        _store = store;
        _log = log;
        _worker = worker;
        var config = arguments.Config;
        _ml = new MLContext(seed: ReproductionConfig.FirstSeed);
        _data = DigitImages.ToDataView(_ml, DigitImages.Load(config.TrainRows + config.TestRows, config.ImageSide), config.ImageSide);
        _objective = new SweepObjective<AdamWMulticlassTrainer.Options>(_ml, _data,
            SweepMetric.Parse("micro-accuracy", TrainingTask.MulticlassClassification),
            _ml.Transforms.Conversion.MapValueToKey("Label"), SweepEvaluation.Holdout(TestFraction));
    }

    private ReproductionConfig Config => _arguments.Config;

    /// <summary>The held-out fraction: the test digits (the engine's holdout split, seeded by the study seed, the same for every study).</summary>
    private double TestFraction => (double)Config.TestRows / (Config.TrainRows + Config.TestRows);

    public IReadOnlyList<int> ExtraSeeds => [.. Enumerable.Range(ReproductionConfig.FirstSeed + 1, Config.SeedCount - 1)];

    public IReadOnlyList<int> AllSeeds => [.. Enumerable.Range(ReproductionConfig.FirstSeed, Config.SeedCount)];

    /// <summary>The paper's protocol as trainer options: Adam, λ in the schedule's scaling, every parameter decayed, a constant rate.</summary>
    public AdamWMulticlassTrainer.Options BaseOptions(Setting setting, WeightDecayMode mode, double lossMultiplier) => new()
    {
        Network = new ResNetNetworkOptions { Depth = setting.Depth, Width = Config.Width, BatchNorm = setting.BatchNorm },
        ImageShape = new ImageShape(1, Config.ImageSide, Config.ImageSide),
        Optimizer = OptimizerKind.Adam,
        Epsilon = 1e-8,
        WeightDecayMode = mode,
        WeightDecayScaling = WeightDecayScaling.Schedule,
        DecayAllParameters = true,
        LearningRateSchedule = _arguments.Cosine ? LearningRateSchedule.Cosine : LearningRateSchedule.Constant,
        NumberOfEpochs = Config.Epochs,
        BatchSize = Config.BatchSize,
        NumberOfThreads = 1,
        LossMultiplier = lossMultiplier,
    };

    public string StudyName(GridStudy grid) => $"{Config.Name}{(_arguments.Cosine ? "-cosine" : "")}-{grid.Key}";

    public string SeedStudyName(GridStudy grid, double learningRate, double weightDecay) =>
        $"{StudyName(grid)}-seeds-a{ReproductionConfig.Number(learningRate)}-l{ReproductionConfig.Number(weightDecay)}";

    public Study<AdamWMulticlassTrainer.Options> OpenGrid(GridStudy grid)
    {
        var space = new SearchSpace<AdamWMulticlassTrainer.Options>(() => BaseOptions(grid.Setting, grid.Mode, grid.LossMultiplier))
            .Grid(o => o.LearningRate, Config.LearningRates)
            .Grid(o => o.WeightDecay, Config.WeightDecays)
            .Grid(o => o.Seed, (int?)ReproductionConfig.FirstSeed);
        return Study.CreateOrOpen(_store, StudyName(grid), space, _objective, SweepStrategy.Grid(), ReproductionConfig.FirstSeed);
    }

    public Study<AdamWMulticlassTrainer.Options> OpenSeeds(GridStudy grid, double learningRate, double weightDecay)
    {
        var space = new SearchSpace<AdamWMulticlassTrainer.Options>(() => BaseOptions(grid.Setting, grid.Mode, grid.LossMultiplier))
            .Grid(o => o.LearningRate, learningRate)
            .Grid(o => o.WeightDecay, weightDecay)
            .Grid(o => o.Seed, [.. ExtraSeeds.Select(s => (int?)s)]);
        return Study.CreateOrOpen(_store, SeedStudyName(grid, learningRate, weightDecay), space, _objective, SweepStrategy.Grid(), ReproductionConfig.FirstSeed);
    }

    /// <summary>
    /// Runs this worker's share of every sweep: the grids (moving on while another worker finishes a study's
    /// last trials), then waits for them all, then repeats each ×1 grid's best cell with the other seeds.
    /// </summary>
    /// <returns>How many trials this worker ran.</returns>
    public int Run(CancellationToken cancellationToken)
    {
        var grids = GridStudy.Plan(Config);
        var ran = 0;
        foreach (var wait in new[] { false, true })
        {
            foreach (var grid in grids)
                ran += RunStudy(OpenGrid(grid), Config.Cells, wait, grid.Label, cancellationToken);
        }
        var best = grids.Where(g => g.LossMultiplier == 1)
            .Select(g => (Grid: g, Best: GridCells.Best(GridCells.Read(OpenGrid(g).GetResult()))))
            .Where(b => b.Best is not null).ToList();
        if (ExtraSeeds.Count == 0)
            return ran;
        foreach (var wait in new[] { false, true })
        {
            foreach (var (grid, cell) in best)
                ran += RunStudy(OpenSeeds(grid, cell!.LearningRate, cell.WeightDecay), ExtraSeeds.Count, wait, grid.Label + " (seeds)", cancellationToken);
        }
        return ran;
    }

    private int RunStudy(Study<AdamWMulticlassTrainer.Options> study, int trials, bool wait, string label, CancellationToken cancellationToken) =>
        study.Run(trials, new StudyRunOptions
        {
            Worker = _worker,
            WaitForRunningTrials = wait,
            Progress = new TrialLog(_log, _worker, label),
        }, cancellationToken);

    /// <summary>The file the gradient scales of one network and seed are kept in.</summary>
    public string GradientFile(Setting setting, int seed) =>
        Path.Combine(_arguments.Output, "gradients", string.Create(CultureInfo.InvariantCulture, $"{setting.Key}-seed{seed}.json"));

    /// <summary>
    /// Trains AdamW at one fixed cell on the deepest network, with and without BN, for every seed, recording the
    /// gradient scales at the first and the last epoch; each run's record is kept (written whole or not at all),
    /// so a rerun trains only the missing ones.
    /// </summary>
    /// <returns>How many runs were trained now.</returns>
    public int RecordGradientScales(CancellationToken cancellationToken)
    {
        var split = _ml.Data.TrainTestSplit(_data, TestFraction, seed: ReproductionConfig.FirstSeed);
        var ran = 0;
        foreach (var batchNorm in new[] { false, true })
        {
            var setting = new Setting(Config.Deepest, batchNorm);
            foreach (var seed in AllSeeds)
            {
                var path = GradientFile(setting, seed);
                if (File.Exists(path))
                    continue;
                cancellationToken.ThrowIfCancellationRequested();
                var options = BaseOptions(setting, WeightDecayMode.Decoupled, 1);
                options.LearningRate = Config.HistogramLearningRate;
                options.WeightDecay = Config.HistogramWeightDecay;
                options.Seed = seed;
                options.CancellationToken = cancellationToken;
                options.Diagnostics = new GradientScaleDiagnosticsOptions { Epochs = [.. new[] { 1, Config.Epochs }.Distinct()] };
                var model = _ml.Transforms.Conversion.MapValueToKey("Label")
                    .Append(_ml.MulticlassClassification.Trainers.AdamW(options)).Fit(split.TrainSet);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var partial = path + "." + Environment.ProcessId + ".partial";
                model.LastTransformer.Model.Diagnostics!.WriteJson(partial);
                File.Move(partial, path, overwrite: true);
                _log.WriteLine($"[{_worker}] gradient scales: AdamW, {setting.Label}, seed {seed}");
                ran++;
            }
        }
        return ran;
    }

    /// <summary>The gradient scales of every seed of a setting, read back from their files.</summary>
    public IReadOnlyList<GradientScaleDiagnostics> ReadGradientScales(Setting setting) =>
        [.. AllSeeds.Select(seed => GradientFile(setting, seed)).Where(File.Exists).Select(GradientScaleDiagnostics.ReadJson)];

    /// <summary>Writes one line per finished trial, as it finishes.</summary>
    private sealed class TrialLog(TextWriter log, string worker, string label) : IProgress<TrialRecord>
    {
        public void Report(TrialRecord value)
        {
            var summary = GridCells.Read([value]).Single();
            lock (log)
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{worker}] {label}: α = {ReproductionConfig.Number(summary.LearningRate)}, λ = {ReproductionConfig.Number(summary.WeightDecay)}, seed {summary.Seed}: {summary.Outcome} ({value.Result?.FitTime.TotalSeconds:0.0} s)"));
        }
    }
}
