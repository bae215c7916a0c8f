using Microsoft.ML;
using MLNet.AdamW.Optimizers;

namespace MLNet.AdamW.Sweeps.Tests;

public sealed class StrategyTests
{
    private static SearchSpace<AdamWBinaryTrainer.Options> Grid3x4x2() => new SearchSpace<AdamWBinaryTrainer.Options>(Penguins.Tiny)
        .Grid(o => o.LearningRate, 1e-3, 3e-3, 1e-2)
        .Grid(o => o.WeightDecay, 0.0, 1e-3, 1e-2, 1e-1)
        .Choice(o => o.WeightDecayMode, WeightDecayMode.Decoupled, WeightDecayMode.Proximal);

    [Fact]
    public void The_grid_visits_every_cell_exactly_once_in_an_order_drawn_from_the_seed()
    {
        var space = Grid3x4x2();
        var grid = SweepStrategy.Grid();
        Assert.Equal(24, grid.TrialCount(100, space.GridSize));
        var cells = Enumerable.Range(0, 24).Select(n => space.EncodeParameters(grid.Values(space.Dimensions, seed: 5, n))).ToList();
        Assert.Equal(24, cells.Distinct().Count());
        // Every combination of the listed values, independently enumerated.
        var expected = from lr in new[] { 1e-3, 3e-3, 1e-2 }
                       from wd in new[] { 0.0, 1e-3, 1e-2, 1e-1 }
                       from mode in new[] { WeightDecayMode.Decoupled, WeightDecayMode.Proximal }
                       select (lr, wd, mode);
        var visited = cells.Select(json => space.FromParametersJson(json)).Select(o => (o.LearningRate, o.WeightDecay, o.WeightDecayMode));
        Assert.Equal(expected.Order().ToList(), visited.Order().ToList());
        // The order is shuffled by the seed, reproducibly.
        var again = Enumerable.Range(0, 24).Select(n => space.EncodeParameters(SweepStrategy.Grid().Values(space.Dimensions, seed: 5, n)));
        var other = Enumerable.Range(0, 24).Select(n => space.EncodeParameters(SweepStrategy.Grid().Values(space.Dimensions, seed: 6, n)));
        Assert.Equal(cells, again);
        Assert.NotEqual(cells, other);
    }

    [Fact]
    public void A_grid_refuses_a_space_with_a_range()
    {
        using var store = new InMemoryStudyStore();
        var ml = new MLContext(1);
        var space = new SearchSpace<AdamWMulticlassTrainer.Options>(Penguins.TinySpecies).LogUniform(o => o.LearningRate, 1e-4, 1e-1);
        var error = Assert.Throws<ArgumentException>(() => Study.CreateOrOpen(store, "g", space, Penguins.Objective(ml), SweepStrategy.Grid()));
        Assert.Contains("range", error.Message, StringComparison.Ordinal);
        Assert.Empty(store.ListStudies());
    }

    [Fact]
    public void Random_is_reproducible_under_a_seed_and_differs_between_seeds_and_trials()
    {
        var space = new SearchSpace<AdamWBinaryTrainer.Options>(Penguins.Tiny)
            .LogUniform(o => o.LearningRate, 1e-4, 1e-1).Uniform(o => o.WeightDecay, 0, 0.3).Choice(o => o.AmsGrad, false, true);
        string Draw(int seed, int number) => space.EncodeParameters(SweepStrategy.Random().Values(space.Dimensions, seed, number));
        var first = Enumerable.Range(0, 20).Select(n => Draw(42, n)).ToList();
        Assert.Equal(first, Enumerable.Range(0, 20).Select(n => Draw(42, n)));
        Assert.Equal(20, first.Distinct().Count());
        Assert.NotEqual(first, Enumerable.Range(0, 20).Select(n => Draw(43, n)));
        // A trial's draw does not depend on which trials were drawn before it.
        Assert.Equal(first[17], Draw(42, 17));
    }

    [Fact]
    public void Asha_puts_its_rungs_at_min_times_eta_to_the_k_below_the_maximum()
    {
        Assert.Equal(new[] { 1, 3, 9 }, SweepStrategy.Asha(1, 3, 27).Rungs);
        Assert.Equal(new[] { 2, 4, 8 }, SweepStrategy.Asha(2, 2, 10).Rungs);
        Assert.Empty(SweepStrategy.Asha(5, 3, 5).Rungs);
        Assert.Throws<ArgumentOutOfRangeException>(() => SweepStrategy.Asha(0, 3, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => SweepStrategy.Asha(1, 1, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => SweepStrategy.Asha(4, 3, 3));
    }

    [Theory]
    [InlineData(0.5, new[] { 0.5 }, true)]                       // the first at a rung continues
    [InlineData(0.9, new[] { 0.5, 0.9 }, false)]                 // max(1, ⌊2/3⌋) = 1: only the best continues
    [InlineData(0.5, new[] { 0.5, 0.5 }, true)]                  // a tie with the best continues
    [InlineData(0.5, new[] { 0.5, 0.9, 0.7 }, true)]             // ⌊3/3⌋ = 1: the best continues
    [InlineData(0.7, new[] { 0.5, 0.9, 0.7 }, false)]
    [InlineData(0.6, new[] { 0.5, 0.9, 0.7, 0.4, 0.8, 0.6 }, false)] // ⌊6/3⌋ = 2: 0.4 and 0.5 continue
    [InlineData(0.5, new[] { 0.5, 0.9, 0.7, 0.4, 0.8, 0.6 }, true)]
    public void Asha_keeps_a_trial_only_among_the_best_third_reported_at_its_rung(double value, double[] reported, bool continues)
    {
        Assert.Equal(continues, SweepStrategy.Asha(1, 3, 9).Continues(value, reported));
    }
}
