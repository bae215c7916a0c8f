using Microsoft.ML;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Samples;

namespace MLNet.AdamW.Sweeps.Tests;

public sealed class StudyTests
{
    private static readonly StudyRunOptions OneWorker = new() { Worker = "test-worker" };

    private static SearchSpace<AdamWMulticlassTrainer.Options> LearningRateByDecay() => new SearchSpace<AdamWMulticlassTrainer.Options>(Penguins.TinySpecies)
        .Grid(o => o.LearningRate, 1e-3, 3e-2)
        .Grid(o => o.WeightDecay, 0.0, 0.1);

    [Fact]
    public void A_grid_study_runs_every_cell_once_end_to_end_with_a_leaderboard()
    {
        var ml = new MLContext(1);
        using var store = new InMemoryStudyStore();
        var study = Study.CreateOrOpen(store, "grid", LearningRateByDecay(), Penguins.Objective(ml), SweepStrategy.Grid(), seed: 7);
        Assert.Equal(4, study.Run(trials: 10, OneWorker));

        var result = study.GetResult();
        Assert.Equal(4, result.Trials.Count);
        Assert.All(result.Trials, t =>
        {
            Assert.Equal(TrialStatus.Complete, t.Status);
            Assert.Equal("test-worker", t.Worker);
            Assert.Equal(3, t.EpochsRun);
            Assert.Single(t.FoldValues);
            Assert.InRange(t.Value!.Value, 0.0, 1.0);
            Assert.Equal(3, t.Record.Intermediate.Count);
        });
        Assert.Equal(4, result.Trials.Select(t => t.ParametersJson).Distinct().Count());
        // Best first, by AUC.
        Assert.Equal(result.Trials.Max(t => t.Value), result.Leaderboard[0].Value);
        Assert.Equal(result.Leaderboard[0], result.Best);
        Assert.Equal(12, result.EpochsTrained);

        // Each trial's value is what training its options with its seed gives, independently of the study.
        var best = study.BestOptions();
        Assert.Equal(result.Best!.Seed, best.Seed);
        var again = Penguins.Objective(new MLContext(1)).EvaluateFold(best, seed: 7, fold: 0).Value;
        Assert.Equal(result.Best.Value!.Value, again, 12);
    }

    [Fact]
    public void A_random_study_is_reproducible_and_the_count_is_the_studys_total()
    {
        StudyResult RunOnce(int first, int total)
        {
            var ml = new MLContext(1);
            using var store = new InMemoryStudyStore();
            var space = new SearchSpace<AdamWMulticlassTrainer.Options>(Penguins.TinySpecies).LogUniform(o => o.LearningRate, 1e-3, 1e-1).Uniform(o => o.WeightDecay, 0, 0.3);
            var study = Study.CreateOrOpen(store, "random", space, Penguins.Objective(ml), SweepStrategy.Random(), seed: 3);
            Assert.Equal(first, study.Run(first, OneWorker));
            Assert.Equal(total - first, study.Run(total, OneWorker));
            Assert.Equal(0, study.Run(total, OneWorker));                              // a rerun of a finished study runs nothing
            return study.GetResult();
        }

        var a = RunOnce(1, 3);
        var b = RunOnce(2, 3);
        Assert.Equal(3, a.Trials.Count);
        Assert.Equal(a.Trials.Select(t => (t.ParametersJson, t.Seed, t.Value)), b.Trials.Select(t => (t.ParametersJson, t.Seed, t.Value)));
    }

    [Fact]
    public void A_run_limited_to_some_trials_leaves_the_rest_to_the_next_run_with_the_same_trials()
    {
        var ml = new MLContext(1);
        using var store = new InMemoryStudyStore();
        var study = Study.CreateOrOpen(store, "limited", LearningRateByDecay(), Penguins.Objective(ml), SweepStrategy.Grid(), seed: 7);
        Assert.Equal(1, study.Run(4, new StudyRunOptions { Worker = "a", MaxTrialsThisRun = 1 }));
        Assert.Equal(3, study.Run(4, new StudyRunOptions { Worker = "b" }));
        var trials = study.GetResult().Trials;
        Assert.Equal(["a", "b", "b", "b"], trials.Select(t => t.Worker));
        Assert.Equal(Enumerable.Range(0, 4).Select(n => study.SpecFor(n)), trials.Select(t => t.Record.Spec));
    }

    [Fact]
    public void A_pipeline_factory_is_fitted_whole_per_trial_and_measured_on_the_held_out_rows()
    {
        var ml = new MLContext(1);
        using var store = new InMemoryStudyStore();
        IEstimator<ITransformer> Pipeline(AdamWMulticlassTrainer.Options o) => Penguins.SpeciesFeatures(ml)
            .Append(ml.MulticlassClassification.Trainers.AdamW(o))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedSpecies", "PredictedLabel"));
        var objective = new SweepObjective<AdamWMulticlassTrainer.Options>(ml, Penguins.All(ml),
            SweepMetric.Parse("micro-accuracy", Training.TrainingTask.MulticlassClassification), Pipeline, SweepEvaluation.Holdout(0.3));
        var space = new SearchSpace<AdamWMulticlassTrainer.Options>(Penguins.TinySpecies).Grid(o => o.LearningRate, 1e-3, 3e-2);
        var study = Study.CreateOrOpen(store, "factory", space, objective, SweepStrategy.Grid(), seed: 3);
        study.Run(2, OneWorker);

        // The same split, pipeline and options, by hand.
        var split = ml.Data.TrainTestSplit(Penguins.All(ml), 0.3, seed: 3);
        foreach (var trial in study.GetResult().Trials)
        {
            Assert.Equal(TrialStatus.Complete, trial.Status);
            var model = Pipeline(study.OptionsFor(trial.Record.Spec)).Fit(split.TrainSet);
            var expected = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet)).MicroAccuracy;
            Assert.Equal(expected, trial.Value!.Value, 12);
            Assert.Equal(3, trial.EpochsRun);
        }
        Assert.NotNull(study.RefitBest().GetOutputSchema(Penguins.All(ml).Schema).GetColumnOrNull("PredictedSpecies"));

        // Successive halving needs validation rows the trainer of a factory-made pipeline does not get.
        var error = Assert.Throws<ArgumentException>(() => Study.CreateOrOpen(store, "factory-asha", space, objective, SweepStrategy.Asha(1, 3, 3, overGrid: true)));
        Assert.Contains("ValidationFraction", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cross_validation_gives_the_mean_and_standard_deviation_over_the_folds()
    {
        var ml = new MLContext(1);
        using var store = new InMemoryStudyStore();
        var space = new SearchSpace<AdamWMulticlassTrainer.Options>(Penguins.TinySpecies).Grid(o => o.LearningRate, 1e-2);
        var study = Study.CreateOrOpen(store, "cv", space, Penguins.Objective(ml, SweepEvaluation.CrossValidation(3)), SweepStrategy.Grid());
        study.Run(1, OneWorker);
        var trial = Assert.Single(study.GetResult().Trials);
        Assert.Equal(3, trial.FoldValues.Count);
        var mean = trial.FoldValues.Average();
        var std = Math.Sqrt(trial.FoldValues.Sum(v => (v - mean) * (v - mean)) / 2);
        Assert.Equal(mean, trial.Value!.Value, 12);
        Assert.Equal(std, trial.StandardDeviation!.Value, 12);
        Assert.True(std > 0);
    }

    [Fact]
    public void A_study_reopened_with_another_space_data_metric_strategy_or_seed_refuses()
    {
        var ml = new MLContext(1);
        using var store = new InMemoryStudyStore();
        var objective = Penguins.Objective(ml);
        Study.CreateOrOpen(store, "s", LearningRateByDecay(), objective, SweepStrategy.Grid(), seed: 1);

        var otherSpace = new SearchSpace<AdamWMulticlassTrainer.Options>(Penguins.TinySpecies).Grid(o => o.LearningRate, 1e-3, 3e-3);
        var fewerPenguins = ml.Data.LoadFromEnumerable(Datasets.Penguins().Take(200).ToList());
        var otherMetric = Penguins.Objective(ml, metric: "log-loss");
        Assert.Contains("search space", Assert.Throws<StudyMismatchException>(() => Study.CreateOrOpen(store, "s", otherSpace, objective, SweepStrategy.Grid(), 1)).Message, StringComparison.Ordinal);
        Assert.Contains("data", Assert.Throws<StudyMismatchException>(() => Study.CreateOrOpen(store, "s", LearningRateByDecay(), Penguins.Objective(ml, data: fewerPenguins), SweepStrategy.Grid(), 1)).Message, StringComparison.Ordinal);
        Assert.Contains("metric", Assert.Throws<StudyMismatchException>(() => Study.CreateOrOpen(store, "s", LearningRateByDecay(), otherMetric, SweepStrategy.Grid(), 1)).Message, StringComparison.Ordinal);
        Assert.Contains("strategy", Assert.Throws<StudyMismatchException>(() => Study.CreateOrOpen(store, "s", LearningRateByDecay(), objective, SweepStrategy.Random(), 1)).Message, StringComparison.Ordinal);
        Assert.Contains("seed", Assert.Throws<StudyMismatchException>(() => Study.CreateOrOpen(store, "s", LearningRateByDecay(), objective, SweepStrategy.Grid(), 2)).Message, StringComparison.Ordinal);
        // Unless told to; and the same definition opens the same study.
        Assert.Equal(1, Study.CreateOrOpen(store, "s", otherSpace, objective, SweepStrategy.Grid(), 1, allowMismatch: true).Info.Id);
        Assert.Equal(1, Study.CreateOrOpen(store, "s", LearningRateByDecay(), objective, SweepStrategy.Grid(), 1).Info.Id);
    }

    [Fact]
    public void A_failing_trial_is_recorded_with_its_error_and_the_study_goes_on()
    {
        var ml = new MLContext(1);
        using var store = new InMemoryStudyStore();
        // Each value alone is valid (the base has λ = 0), but λ > 0 with no decay is refused by the trainer.
        var space = new SearchSpace<AdamWMulticlassTrainer.Options>(() => { var o = Penguins.TinySpecies(); o.WeightDecay = 0; return o; })
            .Grid(o => o.WeightDecay, 0.0, 0.01)
            .Choice(o => o.WeightDecayMode, WeightDecayMode.None, WeightDecayMode.Decoupled);
        var study = Study.CreateOrOpen(store, "fail", space, Penguins.Objective(ml), SweepStrategy.Grid());
        Assert.Equal(4, study.Run(4, OneWorker));
        var result = study.GetResult();
        var failed = Assert.Single(result.Trials, t => t.Status == TrialStatus.Failed);
        var options = study.OptionsFor(failed.Record.Spec);
        Assert.Equal((0.01, WeightDecayMode.None), (options.WeightDecay, options.WeightDecayMode));
        Assert.Contains("WeightDecay", failed.Error, StringComparison.Ordinal);
        Assert.Null(failed.Value);
        Assert.Equal(3, result.Count(TrialStatus.Complete));
        Assert.Equal(TrialStatus.Failed, result.Leaderboard[^1].Status);
    }

    [Fact]
    public void A_trial_of_a_dead_worker_is_requeued_with_its_options_and_run_again()
    {
        var ml = new MLContext(1);
        var clock = new ManualClock();
        using var store = new InMemoryStudyStore(clock);
        var study = Study.CreateOrOpen(store, "stale", LearningRateByDecay(), Penguins.Objective(ml), SweepStrategy.Grid());
        // A worker claims trial 0 and dies without a heartbeat.
        var dead = store.TryClaim(study.Info.Id, "dead-worker", 4, study.SpecFor)!;
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(4, study.Run(4, OneWorker));
        var trial = study.GetResult().Trials[0];
        Assert.Equal(TrialStatus.Complete, trial.Status);
        Assert.Equal(dead.Spec, trial.Record.Spec);
        Assert.Equal(2, trial.Attempt);
        Assert.Equal("test-worker", trial.Worker);
        Assert.Equal(1, store.DeadAttempts(study.Info.Id, 0));
    }

    [Fact]
    public void The_best_pipeline_refit_on_all_the_data_scores_rows()
    {
        var ml = new MLContext(1);
        using var store = new InMemoryStudyStore();
        var study = Study.CreateOrOpen(store, "refit", LearningRateByDecay(), Penguins.Objective(ml), SweepStrategy.Grid());
        study.Run(4, OneWorker);
        var model = study.RefitBest();
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(Penguins.All(ml)));
        Assert.InRange(metrics.MacroAccuracy, 0.6, 1.0);                                  // three species: chance is 1/3
        // The same pipeline, written out by hand with the best options, fitted on all the rows.
        var fresh = new MLContext(2);
        var byHand = Penguins.SpeciesFeatures(fresh).Append(fresh.MulticlassClassification.Trainers.AdamW(study.BestOptions())).Fit(Penguins.All(fresh));
        Assert.Equal(metrics.MacroAccuracy, fresh.MulticlassClassification.Evaluate(byHand.Transform(Penguins.All(fresh))).MacroAccuracy);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
