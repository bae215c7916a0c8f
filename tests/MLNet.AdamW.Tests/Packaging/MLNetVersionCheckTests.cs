using Microsoft.ML;
using MLNet.AdamW.Internal;

namespace MLNet.AdamW.Tests.Packaging;

/// <summary>
/// The package pins Microsoft.ML exactly, but an application can force another version; then the
/// first trainer or model load must say so, naming both versions, instead of failing later.
/// </summary>
public class MLNetVersionCheckTests
{
    [Fact]
    public void The_library_expects_the_MLNet_version_the_tests_run_with()
    {
        var expected = MLNetVersionCheck.ExpectedVersion(typeof(AdamWBinaryTrainer).Assembly);

        Assert.Equal("5.0.1", expected);
        Assert.Equal(expected, MLNetVersionCheck.PackageVersion(typeof(MLContext).Assembly));
        Assert.Null(MLNetVersionCheck.Describe(expected, [typeof(MLContext).Assembly, typeof(Microsoft.ML.Runtime.IHostEnvironment).Assembly]));
    }

    [Fact]
    public void Creating_a_trainer_and_loading_a_model_pass_the_check_here()
    {
        MLNetVersionCheck.EnsureSupported();
        var trainer = new MLContext(seed: 1).BinaryClassification.Trainers.AdamW();

        Assert.NotNull(trainer);
    }

    [Fact]
    public void Another_version_is_refused_with_both_versions_and_the_fix_in_the_message()
    {
        var message = MLNetVersionCheck.Describe("5.0.1", [("Microsoft.ML.Core", "5.0.1"), ("Microsoft.ML.Data", "5.1.0-preview.1")]);

        Assert.NotNull(message);
        Assert.Contains("Microsoft.ML 5.0.1 only", message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.ML.Data 5.1.0-preview.1", message, StringComparison.Ordinal);
        Assert.Contains("<PackageReference Include=\"Microsoft.ML\" Version=\"5.0.1\" />", message, StringComparison.Ordinal);
        Assert.Contains(MLNetVersionCheck.IgnoreSwitch, message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_assembly_without_a_version_is_refused_too()
    {
        var message = MLNetVersionCheck.Describe("5.0.1", [("Microsoft.ML.Core", null)]);

        Assert.Contains("Microsoft.ML.Core of an unknown version", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_package_version_drops_the_commit_suffix()
    {
        // Microsoft.ML.Data 5.0.1 says "5.0.1+a4f730ec...".
        var informational = typeof(MLContext).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;

        Assert.StartsWith("5.0.1+", informational, StringComparison.Ordinal);
        Assert.Equal("5.0.1", MLNetVersionCheck.PackageVersion(typeof(MLContext).Assembly));
    }
}
