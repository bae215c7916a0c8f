using Microsoft.ML;

namespace MLNet.AdamW.Sweeps.Tests;

public sealed class AshaTests
{
    [Fact]
    public void Asha_stops_the_worst_settings_at_the_stated_rungs_and_spends_the_budget_it_states()
    {
        var ml = new MLContext(1);
        using var store = new InMemoryStudyStore();
        // Learning rates from hopeless to good: the validation loss after an epoch spreads widely.
        var space = new SearchSpace<AdamWMulticlassTrainer.Options>(Penguins.TinySpecies)
            .Grid(o => o.LearningRate, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1);
        var asha = SweepStrategy.Asha(minEpochs: 1, reductionFactor: 3, maxEpochs: 9, overGrid: true);
        var study = Study.CreateOrOpen(store, "asha", space, Penguins.Objective(ml), asha, seed: 2);
        Assert.Equal(9, study.Run(9, new StudyRunOptions { Worker = "w" }));
        var trials = study.GetResult().Trials;

        // An independent replay of successive halving over the losses the trials reported, in trial order
        // (one worker: trial n reached each rung after trials 0 … n−1 had).
        var reported = new Dictionary<int, List<double>> { [1] = [], [3] = [] };
        foreach (var trial in trials)
        {
            var loss = trial.Record.Intermediate.ToDictionary(i => i.Epoch, i => i.Value);
            int? stop = null;
            foreach (var rung in new[] { 1, 3 })
            {
                reported[rung].Add(loss[rung]);
                var kept = reported[rung].Order().Take(Math.Max(1, reported[rung].Count / 3)).ToList();
                if (loss[rung] > kept[^1])
                {
                    stop = rung;
                    break;
                }
            }
            Assert.Equal(stop is null ? TrialStatus.Complete : TrialStatus.Pruned, trial.Status);
            Assert.Equal(stop ?? 9, trial.EpochsRun);
            Assert.Equal(stop ?? 9, trial.Record.Intermediate.Count);              // it trained no epoch past its rung
            Assert.NotNull(trial.Value);                                         // the metric of the model where it stopped
        }
        Assert.Equal(TrialStatus.Complete, trials[0].Status);                    // the first at every rung goes on
        Assert.Contains(trials, t => t.Status == TrialStatus.Pruned && t.EpochsRun == 1);

        // The budget: what each trial trained, added up, and less than the full grid's 9 × 9 epochs.
        var result = study.GetResult();
        Assert.Equal(trials.Sum(t => t.EpochsRun), result.EpochsTrained);
        Assert.True(result.EpochsTrained < 81, $"{result.EpochsTrained} epochs");
        // The hopeless rates never reach the last rung unless they came first.
        var slowest = trials.Single(t => study.OptionsFor(t.Record.Spec).LearningRate == 1e-5);
        Assert.True(slowest.Number == 0 || slowest.Status == TrialStatus.Pruned);
    }

    [Fact]
    public void With_cross_validation_a_pruned_trial_runs_only_its_first_fold()
    {
        var ml = new MLContext(1);
        using var store = new InMemoryStudyStore();
        var space = new SearchSpace<AdamWMulticlassTrainer.Options>(Penguins.TinySpecies).Grid(o => o.LearningRate, 3e-2, 1e-5);
        var asha = SweepStrategy.Asha(minEpochs: 1, reductionFactor: 2, maxEpochs: 2, overGrid: true);
        var study = Study.CreateOrOpen(store, "asha-cv", space, Penguins.Objective(ml, SweepEvaluation.CrossValidation(2)), asha, seed: 4);
        study.Run(2, new StudyRunOptions { Worker = "w" });
        var trials = study.GetResult().Trials;
        Assert.Equal(TrialStatus.Complete, trials[0].Status);
        Assert.Equal(2, trials[0].FoldValues.Count);
        // Trial 1's loss after an epoch is compared with trial 0's: ⌊2/2⌋ = 1 continues.
        var first = trials[0].Record.Intermediate[0].Value;
        var second = trials[1].Record.Intermediate[0].Value;
        Assert.Equal(second <= first ? TrialStatus.Complete : TrialStatus.Pruned, trials[1].Status);
        if (trials[1].Status == TrialStatus.Pruned)
        {
            Assert.Single(trials[1].FoldValues);
            Assert.Equal(1, trials[1].EpochsRun);
        }
        Assert.Equal(trials.Sum(t => (long)t.EpochsRun * t.FoldValues.Count), study.GetResult().EpochsTrained);
    }
}
