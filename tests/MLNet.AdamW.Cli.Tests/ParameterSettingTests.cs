using MLNet.AdamW.Training;
using MLNet.AdamW.Cli.Arguments;
using MLNet.AdamW;

namespace MLNet.AdamW.Cli.Tests;

/// <summary>--set Name=values|uniform:a:b|loguniform:a:b, typed by the trainer's options.</summary>
public sealed class ParameterSettingTests
{
    private static readonly Type Options = typeof(AdamWBinaryTrainer.Options);

    [Fact]
    public void Listed_values_take_the_options_type()
    {
        var rate = ParameterSetting.Parse("LearningRate=1e-3, 3e-3,1e-2", Options);
        Assert.Equal(ParameterKind.Values, rate.Kind);
        Assert.Equal([1e-3, 3e-3, 1e-2], rate.Values.Cast<double>());

        var mode = ParameterSetting.Parse("weightdecaymode=L2,decoupled,Proximal", Options);
        Assert.Equal("WeightDecayMode", mode.Name);
        Assert.Equal([WeightDecayMode.L2, WeightDecayMode.Decoupled, WeightDecayMode.Proximal], mode.Values.Cast<WeightDecayMode>());

        var epochs = ParameterSetting.Parse("NumberOfEpochs=3", Options);
        Assert.Equal([3], epochs.Values.Cast<int>());
        Assert.True(epochs.IsInteger);

        Assert.Equal([true, false], ParameterSetting.Parse("AmsGrad=true,false", Options).Values.Cast<bool>());
        Assert.Equal([5], ParameterSetting.Parse("EarlyStoppingPatience=5", Options).Values.Cast<int>());
    }

    [Fact]
    public void Ranges_are_uniform_or_log_uniform()
    {
        var decay = ParameterSetting.Parse("WeightDecay=loguniform:1e-5:1e-1", Options);
        Assert.Equal((ParameterKind.LogUniform, 1e-5, 1e-1), (decay.Kind, decay.Low, decay.High));
        var batch = ParameterSetting.Parse("BatchSize=uniform:16:128", Options);
        Assert.Equal((ParameterKind.Uniform, 16d, 128d, true), (batch.Kind, batch.Low, batch.High, batch.IsInteger));
    }

    [Theory]
    [InlineData("WeightDecay=loguniform:0:1e-1", "a log-uniform range needs positive bounds; low is 0")]
    [InlineData("WeightDecay=uniform:1:1", "the range is empty; low (1) must be below high (1)")]
    [InlineData("WeightDecay=uniform:1", "a range is uniform:low:high, two numbers")]
    [InlineData("WeightDecayMode=uniform:1:2", "WeightDecayMode is a choice (WeightDecayMode); a range (uniform:low:high) needs a numeric option")]
    [InlineData("NumberOfEpochs=2.5", "'2.5' is not a whole number")]
    [InlineData("LearningRate=1e-3,,1e-2", "an empty value in the list")]
    [InlineData("LearningRate=1e-3,1e-3", "a value is listed twice")]
    [InlineData("WeightDecayMode=1", "'1' is not a WeightDecayMode")]
    [InlineData("Network=x", "has no option Network that the command line can set")]
    public void A_bad_setting_names_the_option(string text, string phrase)
    {
        var e = Assert.Throws<CliUsageException>(() => ParameterSetting.Parse(text, Options));
        Assert.Equal("--set", e.Flag);
        Assert.StartsWith("--set: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(phrase, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_option_set_twice_is_refused()
    {
        var e = Assert.Throws<CliUsageException>(() => ParameterSetting.ParseAll(["LearningRate=1e-3", "learningrate=1e-2"], Options));
        Assert.Contains("LearningRate is set twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Regression_options_are_their_own()
    {
        var setting = ParameterSetting.Parse("StandardizeLabel=false", TrainingTask.Regression.OptionsType());
        Assert.Equal([false], setting.Values.Cast<bool>());
        Assert.Throws<CliUsageException>(() => ParameterSetting.Parse("StandardizeLabel=false", Options));
    }
}
