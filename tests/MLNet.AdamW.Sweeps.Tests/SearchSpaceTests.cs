using System.Text.Json;
using MLNet.AdamW.Optimizers;
using MLNet.AdamW.Samples;

namespace MLNet.AdamW.Sweeps.Tests;

public sealed class SearchSpaceTests
{
    private static SearchSpace<AdamWBinaryTrainer.Options> Space() => new(Penguins.Tiny);

    public static TheoryData<string, Action<SearchSpace<AdamWBinaryTrainer.Options>>> BadSpaces() => new()
    {
        { "LearningRate", s => s.Uniform(o => o.LearningRate, 1e-2, 1e-2) },                      // empty range
        { "WeightDecay", s => s.Uniform("WeightDecay", 0.5, 0.1) },                                // min > max
        { "WeightDecay", s => s.LogUniform(o => o.WeightDecay, 0, 1e-1) },                          // log over 0
        { "LearningRate", s => s.LogUniform("LearningRate", -1, 1) },                              // log over negatives
        { "LearningRat", s => s.Grid("LearningRat", 1e-3, 1e-2) },                                // no such option
        { "Network.Widths", s => s.Grid("Network.Widths", 1, 2) },                                // no such nested option
        { "LearningRate", s => s.Grid("LearningRate", "fast") },                                  // wrong type (a string that is no number)
        { "NumberOfEpochs", s => s.Grid("NumberOfEpochs", 1.5) },                                 // wrong type (not integral)
        { "WeightDecayMode", s => s.Choice("WeightDecayMode", "Decoupled", "Lasso") },           // no such enum value
        { "WeightDecayMode", s => s.Choice("WeightDecayMode", true) },                           // wrong type
        { "LearningRate", s => s.Grid(o => o.LearningRate, 1e-3, -1e-3) },                        // out of the trainer's range
        { "Beta2", s => s.Uniform(o => o.Beta2, 0.9, 1.0) },                                      // range end out of the trainer's range
        { "Network.Dropout", s => s.Grid("Network.Dropout", 0.0, 1.5) },                          // nested option out of range
        { "BatchSize", s => s.Uniform(o => o.BatchSize, 0, 64) },                                // int range reaching 0
        { "WeightDecayMode", s => s.Choice(o => o.WeightDecayMode, []) },                        // empty choice
        { "LearningRate", s => s.Grid(o => o.LearningRate, 1e-3, 1e-3) },                         // a value twice
    };

    [Theory]
    [MemberData(nameof(BadSpaces))]
    public void A_bad_space_fails_when_it_is_built_naming_the_option(string option, Action<SearchSpace<AdamWBinaryTrainer.Options>> build)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => build(Space()));
        Assert.Contains($"\"{option}\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_space_fails_before_any_trial_runs()
    {
        // The study is never created: nothing reaches the store.
        using var store = new InMemoryStudyStore();
        Assert.ThrowsAny<ArgumentException>(() => Space().Grid(o => o.LearningRate, 1e-3).Uniform(o => o.WeightDecay, 1, 1));
        Assert.Empty(store.ListStudies());
    }

    [Fact]
    public void Options_are_found_by_lambda_and_by_name_including_nested_ones_and_string_values()
    {
        var space = Space()
            .Grid(o => o.LearningRate, 1e-3, 3e-3)
            .Choice("WeightDecayMode", "l2", "Proximal")
            .Grid("Network.Dropout", 0, 0.25)
            .Uniform(o => o.BatchSize, 16, 64);
        Assert.Equal(new[] { "BatchSize", "LearningRate", "Network.Dropout", "WeightDecayMode" }, space.Options);
        var options = space.Apply(new Dictionary<string, object?>
        {
            ["LearningRate"] = 3e-3, ["WeightDecayMode"] = WeightDecayMode.L2, ["Network.Dropout"] = 0.25, ["BatchSize"] = 48,
        });
        Assert.Equal(3e-3, options.LearningRate);
        Assert.Equal(WeightDecayMode.L2, options.WeightDecayMode);
        Assert.Equal(0.25, ((MlpNetworkOptions)options.Network).Dropout);
        Assert.Equal(48, options.BatchSize);
        Assert.Equal(nameof(Penguin.IsMale), options.LabelColumnName);                      // from the base options
    }

    [Fact]
    public void A_grid_of_enum_names_is_a_choice_by_another_name()
    {
        var grid = Space().Grid("WeightDecayMode", "L2", "Decoupled", "Proximal");
        var choice = Space().Choice(o => o.WeightDecayMode, WeightDecayMode.L2, WeightDecayMode.Decoupled, WeightDecayMode.Proximal);
        Assert.Equal(3, grid.GridSize);
        Assert.Equal(
            Enumerable.Range(0, 3).Select(n => grid.FromParametersJson(grid.EncodeParameters(SweepStrategy.Grid().Values(grid.Dimensions, 1, n))).WeightDecayMode),
            Enumerable.Range(0, 3).Select(n => choice.FromParametersJson(choice.EncodeParameters(SweepStrategy.Grid().Values(choice.Dimensions, 1, n))).WeightDecayMode));
    }

    [Fact]
    public void A_choice_of_network_options_gives_each_trial_its_own_copy_and_nested_options_apply_on_it()
    {
        var wide = new MlpNetworkOptions { HiddenLayers = [32, 32], Activation = Activation.GELU };
        var narrow = new MlpNetworkOptions { HiddenLayers = [4] };
        var space = Space().Choice(o => o.Network, wide, narrow).Grid("Network.Dropout", 0.0, 0.5);
        var first = space.Apply(new Dictionary<string, object?> { ["Network"] = wide, ["Network.Dropout"] = 0.5 });
        var second = space.Apply(new Dictionary<string, object?> { ["Network"] = wide, ["Network.Dropout"] = 0.0 });
        var a = Assert.IsType<MlpNetworkOptions>(first.Network);
        var b = Assert.IsType<MlpNetworkOptions>(second.Network);
        Assert.NotSame(a, b);
        Assert.NotSame(wide, a);
        Assert.Equal(new[] { 32, 32 }, a.HiddenLayers);
        Assert.Equal(Activation.GELU, a.Activation);
        Assert.Equal(0.5, a.Dropout);
        Assert.Equal(0.0, b.Dropout);
        Assert.Equal(0.0, wide.Dropout);                                                   // the space's value is untouched
    }

    [Fact]
    public void Trial_parameters_round_trip_exactly_through_their_json()
    {
        var space = Space()
            .LogUniform(o => o.LearningRate, 1e-5, 1e-1)
            .Uniform(o => o.Beta1, 0.5, 0.95)
            .Choice(o => o.WeightDecayMode, WeightDecayMode.L2, WeightDecayMode.Decoupled)
            .Choice(o => o.Network, new MlpNetworkOptions { HiddenLayers = [3, 5] }, new MlpNetworkOptions { HiddenLayers = [7] })
            .LogUniform(o => o.BatchSize, 4, 256);
        var strategy = SweepStrategy.Random();
        for (var number = 0; number < 50; number++)
        {
            var values = strategy.Values(space.Dimensions, seed: 11, number);
            var json = space.EncodeParameters(values);
            var decoded = space.DecodeParameters(json);
            var dimensions = space.Dimensions;
            for (var i = 0; i < dimensions.Count; i++)
            {
                var expected = values[i];
                var actual = decoded[dimensions[i].Option.Path];
                if (expected is double d)
                    Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits((double)actual!));
                else
                    Assert.Equal(ParameterJson.Text(expected), ParameterJson.Text(actual));
            }
            Assert.Equal(json, space.EncodeParameters([.. dimensions.Select(d => decoded[d.Option.Path])]));
        }
    }

    [Fact]
    public void Ranges_stay_within_their_ends_and_log_uniform_is_uniform_in_the_logarithm()
    {
        var space = Space().LogUniform(o => o.LearningRate, 1e-4, 1e-0).Uniform(o => o.BatchSize, 8, 12);
        var strategy = SweepStrategy.Random();
        var rates = new List<double>();
        var sizes = new HashSet<int>();
        for (var number = 0; number < 4000; number++)
        {
            var values = strategy.Values(space.Dimensions, seed: 3, number);
            sizes.Add((int)values[0]!);
            rates.Add((double)values[1]!);
        }
        Assert.Equal(new[] { 8, 9, 10, 11, 12 }, sizes.Order());
        Assert.All(rates, r => Assert.InRange(r, 1e-4, 1));
        // A quarter of the draws in each decade: 1000 expected, binomial sd ≈ 27.
        foreach (var decade in new[] { 1e-4, 1e-3, 1e-2, 1e-1 })
            Assert.InRange(rates.Count(r => r >= decade && r < decade * 10), 880, 1120);
    }

    [Fact]
    public void The_canonical_json_and_fingerprint_ignore_declaration_order_and_change_with_values_and_base_options()
    {
        var a = Space().Grid(o => o.LearningRate, 1e-3, 1e-2).Choice(o => o.WeightDecayMode, WeightDecayMode.L2, WeightDecayMode.Decoupled);
        var b = Space().Choice(o => o.WeightDecayMode, WeightDecayMode.L2, WeightDecayMode.Decoupled).Grid("LearningRate", 0.001, 0.01);
        var c = Space().Grid(o => o.LearningRate, 1e-3, 2e-2).Choice(o => o.WeightDecayMode, WeightDecayMode.L2, WeightDecayMode.Decoupled);
        var d = new SearchSpace<AdamWBinaryTrainer.Options>(() => { var o = Penguins.Tiny(); o.NumberOfEpochs = 3; return o; })
            .Grid(o => o.LearningRate, 1e-3, 1e-2).Choice(o => o.WeightDecayMode, WeightDecayMode.L2, WeightDecayMode.Decoupled);
        Assert.Equal(a.ToJson(), b.ToJson());
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.NotEqual(a.Fingerprint, c.Fingerprint);
        Assert.NotEqual(a.Fingerprint, d.Fingerprint);
        using var json = JsonDocument.Parse(a.ToJson());
        var dimensions = json.RootElement.GetProperty("dimensions");
        Assert.Equal("LearningRate", dimensions[0].GetProperty("option").GetString());
        Assert.Equal(0.001, dimensions[0].GetProperty("values")[0].GetDouble());
        Assert.Equal("L2", dimensions[1].GetProperty("values")[0].GetString());
        Assert.Equal(2, json.RootElement.GetProperty("base").GetProperty("NumberOfEpochs").GetInt32());
    }

    [Fact]
    public void Stored_parameters_that_are_not_a_point_of_the_space_are_refused()
    {
        var space = Space().Grid(o => o.LearningRate, 1e-3, 1e-2);
        Assert.Throws<FormatException>(() => space.FromParametersJson("""{"LearningRate":0.005}"""));
        Assert.Throws<FormatException>(() => space.FromParametersJson("""{"WeightDecay":0.005}"""));
        Assert.Throws<FormatException>(() => space.FromParametersJson("{}"));
    }
}
