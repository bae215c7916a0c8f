using MLNet.AdamW.Build;
using TorchSharp;

namespace MLNet.AdamW.Tests.Platform;

public class TorchSharpLoadsTests
{
    [Fact]
    public void Torch_computes_ones_plus_arange_from_the_test_output_folder()
    {
        using var ones = torch.ones(3);
        using var range = torch.arange(3);
        using var sum = ones + range;

        Assert.Equal(new[] { 1f, 2f, 3f }, sum.data<float>().ToArray());
    }

    [Fact]
    public void Torch_reports_a_version()
    {
        Assert.False(string.IsNullOrWhiteSpace(torch.__version__));
    }

    [Fact]
    public void The_loaded_native_library_is_the_output_folders_copy()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var warmUp = torch.zeros(1);
        string mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[5].EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal))
            .Select(fields => fields[5])
            .First();

        Assert.StartsWith(Path.GetFullPath(AppContext.BaseDirectory), mapped, StringComparison.Ordinal);
    }

    [Fact]
    public void The_NuGet_cache_copy_is_untouched()
    {
        string pristine = TorchSharpPackage.PristineLinuxX64Library();
        byte[] cached = File.ReadAllBytes(pristine);

        Assert.DoesNotContain(ElfVersionNeeds.ReadVersionNeeds(cached), need => need.IsWeak);
        byte[]? packaged = TorchSharpPackage.LinuxX64LibraryFromNupkg();
        if (packaged is not null)
        {
            Assert.True(packaged.AsSpan().SequenceEqual(cached), $"{pristine} differs from the copy inside the .nupkg: something wrote into the NuGet cache.");
        }
    }

    [Fact]
    public void The_output_copy_needs_no_further_patch_on_this_system()
    {
        string output = Path.Combine(AppContext.BaseDirectory, TorchSharpPackage.LinuxX64Native);
        if (!OperatingSystem.IsLinux() || !File.Exists(output))
        {
            return;
        }

        string? system = ElfVersionNeeds.FindSystemLibrary(ElfVersionNeeds.LibStdCxx, ElfVersionNeeds.ReadMachine(output), Environment.GetEnvironmentVariable("LD_LIBRARY_PATH"));
        Assert.NotNull(system);
        var versions = ElfVersionNeeds.ReadVersionDefinitions(File.ReadAllBytes(system)).ToHashSet(StringComparer.Ordinal);

        var plan = ElfVersionNeeds.Plan(File.ReadAllBytes(output), versions);

        Assert.True(plan.CanPatch, plan.DescribeBlocking());
        Assert.False(plan.HasChanges, "The build left the output copy of libLibTorchSharp.so unpatched: " + string.Join(", ", plan.ToMarkWeak));
    }
}
