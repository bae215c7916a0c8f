using System.Diagnostics;
using System.Text;
using MLNet.AdamW.Build;

namespace MLNet.AdamW.Tests.Platform;

public sealed class ElfVersionNeedsTests : IDisposable
{
    private const string Anchor = "_ZSt21ios_base_library_initv";
    private const ushort EmX86_64 = 62;
    private const ushort EmAArch64 = 183;

    private readonly string pristinePath = TorchSharpPackage.PristineLinuxX64Library();
    private readonly string tempDirectory = Directory.CreateTempSubdirectory("tsfix-tests-").FullName;

    public void Dispose() => Directory.Delete(tempDirectory, recursive: true);

    /// <summary>What Debian 12's libstdc++ (GCC 12) defines: GLIBCXX up to 3.4.30.</summary>
    private static HashSet<string> DebianTwelve(params string[] without)
    {
        var versions = new HashSet<string>(StringComparer.Ordinal) { "GLIBCXX_3.4", "CXXABI_1.3" };
        for (int i = 1; i <= 30; i++)
        {
            versions.Add($"GLIBCXX_3.4.{i}");
        }

        for (int i = 1; i <= 13; i++)
        {
            versions.Add($"CXXABI_1.3.{i}");
        }

        versions.ExceptWith(without);
        return versions;
    }

    private static List<int> DifferingOffsets(byte[] left, byte[] right)
    {
        Assert.Equal(left.Length, right.Length);
        var offsets = new List<int>();
        for (int i = 0; i < left.Length; i++)
        {
            if (left[i] != right[i])
            {
                offsets.Add(i);
            }
        }

        return offsets;
    }

    [Fact]
    public void The_pristine_library_needs_GLIBCXX_3_4_32_only_for_the_anchor()
    {
        var needs = ElfVersionNeeds.ReadVersionNeeds(File.ReadAllBytes(pristinePath));

        var need = Assert.Single(needs, n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.Equal(0, need.Flags);
        Assert.Equal(new[] { Anchor }, need.UndefinedSymbols);
        Assert.Contains(needs, n => n.File == "libc.so.6" && n.Version == "GLIBC_2.34");
    }

    [Fact]
    public void Without_GLIBCXX_3_4_32_only_that_need_is_marked_weak_in_its_two_flag_bytes()
    {
        byte[] original = File.ReadAllBytes(pristinePath);

        var plan = ElfVersionNeeds.Plan(original, DebianTwelve());

        Assert.True(plan.CanPatch);
        Assert.True(plan.HasChanges);
        Assert.Empty(plan.Blocking);
        Assert.Empty(plan.AlreadyWeak);
        var need = Assert.Single(plan.ToMarkWeak);
        Assert.Equal("GLIBCXX_3.4.32", need.Version);
        Assert.Equal("libstdc++.so.6", need.File);

        byte[] patched = ElfVersionNeeds.Apply(original, plan);

        var differing = DifferingOffsets(original, patched);
        Assert.NotEmpty(differing);
        Assert.All(differing, offset => Assert.InRange(offset, need.FlagsOffset, need.FlagsOffset + 1));
        Assert.Equal(ElfVersionNeeds.VerFlagWeak, patched[need.FlagsOffset] | (patched[need.FlagsOffset + 1] << 8));
        var reread = Assert.Single(ElfVersionNeeds.ReadVersionNeeds(patched), n => n.Version == "GLIBCXX_3.4.32");
        Assert.True(reread.IsWeak);
        Assert.Equal(
            ElfVersionNeeds.ReadVersionNeeds(original).Where(n => n.Version != "GLIBCXX_3.4.32").Select(n => (n.File, n.Version, n.Flags)),
            ElfVersionNeeds.ReadVersionNeeds(patched).Where(n => n.Version != "GLIBCXX_3.4.32").Select(n => (n.File, n.Version, n.Flags)));
    }

    [Fact]
    public void Planning_the_patched_library_again_changes_nothing()
    {
        byte[] original = File.ReadAllBytes(pristinePath);
        byte[] patched = ElfVersionNeeds.Apply(original, ElfVersionNeeds.Plan(original, DebianTwelve()));

        var again = ElfVersionNeeds.Plan(patched, DebianTwelve());

        Assert.True(again.CanPatch);
        Assert.False(again.HasChanges);
        Assert.Empty(again.ToMarkWeak);
        Assert.Equal("GLIBCXX_3.4.32", Assert.Single(again.AlreadyWeak).Version);
        Assert.Equal(patched, ElfVersionNeeds.Apply(patched, again));
    }

    [Fact]
    public void A_system_that_defines_GLIBCXX_3_4_32_needs_no_change()
    {
        byte[] original = File.ReadAllBytes(pristinePath);
        var versions = DebianTwelve();
        versions.UnionWith(new[] { "GLIBCXX_3.4.31", "GLIBCXX_3.4.32" });

        var plan = ElfVersionNeeds.Plan(original, versions);

        Assert.True(plan.CanPatch);
        Assert.False(plan.HasChanges);
        Assert.Empty(plan.ToMarkWeak);
        Assert.Empty(plan.AlreadyWeak);
        Assert.Equal(original, ElfVersionNeeds.Apply(original, plan));
    }

    [Fact]
    public void A_missing_version_that_real_symbols_need_blocks_every_change_and_is_named()
    {
        byte[] original = File.ReadAllBytes(pristinePath);

        var plan = ElfVersionNeeds.Plan(original, DebianTwelve(without: "GLIBCXX_3.4.29"));

        Assert.False(plan.CanPatch);
        Assert.False(plan.HasChanges);
        Assert.Empty(plan.ToMarkWeak);
        var blocking = Assert.Single(plan.Blocking);
        Assert.Equal("GLIBCXX_3.4.29", blocking.Version);
        Assert.NotEmpty(blocking.UndefinedSymbols);
        Assert.DoesNotContain(Anchor, blocking.UndefinedSymbols);
        string description = plan.DescribeBlocking();
        Assert.Contains("GLIBCXX_3.4.29", description, StringComparison.Ordinal);
        Assert.Contains(blocking.UndefinedSymbols[0], description, StringComparison.Ordinal);
        var refusal = Assert.Throws<InvalidOperationException>(() => ElfVersionNeeds.Apply(original, plan));
        Assert.Contains("GLIBCXX_3.4.29", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Versions_of_other_libraries_are_not_libstdcxxs_business()
    {
        byte[] original = File.ReadAllBytes(pristinePath);

        // GLIBC_2.34 is libc's; a libstdc++ version set never contains it.
        var plan = ElfVersionNeeds.Plan(original, DebianTwelve());

        Assert.DoesNotContain(plan.ToMarkWeak.Concat(plan.Blocking), n => n.File != "libstdc++.so.6");
    }

    [Theory]
    [InlineData("not an ELF file at all", "Not an ELF file")]
    [InlineData("", "Not an ELF file")]
    [InlineData("\u007fELF", "Truncated ELF header")]
    public void Non_ELF_bytes_are_rejected_clearly(string text, string expected)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text);

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Plan(bytes, DebianTwelve()));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    public void ELF32_and_big_endian_files_are_rejected_clearly(byte elfClass, byte elfData)
    {
        byte[] bytes = File.ReadAllBytes(pristinePath);
        bytes[4] = elfClass;
        bytes[5] = elfData;

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadVersionNeeds(bytes));

        Assert.Contains("Only ELF64 little-endian", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_library_is_rejected_instead_of_read_past_its_end()
    {
        byte[] bytes = File.ReadAllBytes(pristinePath).AsSpan(0, 4096).ToArray();

        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadVersionNeeds(bytes));
    }

    [Fact]
    public void Patching_a_hard_link_replaces_it_and_leaves_the_other_name_untouched()
    {
        byte[] original = File.ReadAllBytes(pristinePath);
        string cacheName = Path.Combine(tempDirectory, "cache.so");
        string outputName = Path.Combine(tempDirectory, "output.so");
        File.Copy(pristinePath, cacheName);
        var lastWrite = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(cacheName, lastWrite);
        HardLink(cacheName, outputName);
        File.WriteAllBytes(Path.Combine(tempDirectory, "probe"), Array.Empty<byte>());

        var result = ElfVersionNeeds.PatchFile(outputName, DebianTwelve());

        Assert.Equal(ElfPatchOutcome.Patched, result.Outcome);
        Assert.Equal(original, File.ReadAllBytes(cacheName));
        byte[] patched = File.ReadAllBytes(outputName);
        var need = Assert.Single(result.Plan.ToMarkWeak);
        Assert.All(DifferingOffsets(original, patched), offset => Assert.InRange(offset, need.FlagsOffset, need.FlagsOffset + 1));
        Assert.Equal(lastWrite, File.GetLastWriteTimeUtc(outputName));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(File.GetUnixFileMode(cacheName), File.GetUnixFileMode(outputName));
        }

        Assert.Equal(new[] { "cache.so", "output.so", "probe" }, Directory.GetFiles(tempDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var again = ElfVersionNeeds.PatchFile(outputName, DebianTwelve());

        Assert.Equal(ElfPatchOutcome.NothingToDo, again.Outcome);
        Assert.Equal(patched, File.ReadAllBytes(outputName));
        Assert.Equal(original, File.ReadAllBytes(cacheName));
    }

    [Fact]
    public void A_blocked_file_is_left_as_it_is()
    {
        string outputName = Path.Combine(tempDirectory, "output.so");
        File.Copy(pristinePath, outputName);

        var result = ElfVersionNeeds.PatchFile(outputName, DebianTwelve(without: "GLIBCXX_3.4.29"));

        Assert.Equal(ElfPatchOutcome.Blocked, result.Outcome);
        Assert.Equal(File.ReadAllBytes(pristinePath), File.ReadAllBytes(outputName));
    }

    [Fact]
    public void The_system_library_search_takes_LD_LIBRARY_PATH_first_and_skips_other_machines()
    {
        string foreign = Path.Combine(tempDirectory, "foreign");
        string notElf = Path.Combine(tempDirectory, "not-elf");
        string native = Path.Combine(tempDirectory, "native");
        foreach (string directory in new[] { foreign, notElf, native })
        {
            Directory.CreateDirectory(directory);
        }

        byte[] library = File.ReadAllBytes(pristinePath);
        library[18] = (byte)EmAArch64;
        library[19] = 0;
        File.WriteAllBytes(Path.Combine(foreign, "libstdc++.so.6"), library);
        File.WriteAllText(Path.Combine(notElf, "libstdc++.so.6"), "INPUT(-lstdc++)");
        File.Copy(pristinePath, Path.Combine(native, "libstdc++.so.6"));
        string searchPath = string.Join(':', "", foreign, notElf, native);

        Assert.Equal(Path.Combine(native, "libstdc++.so.6"), ElfVersionNeeds.FindSystemLibrary("libstdc++.so.6", EmX86_64, searchPath));
        Assert.Equal(Path.Combine(foreign, "libstdc++.so.6"), ElfVersionNeeds.FindSystemLibrary("libstdc++.so.6", EmAArch64, searchPath));
        Assert.Null(ElfVersionNeeds.FindSystemLibrary("libdoes-not-exist.so.1", EmX86_64, searchPath));
    }

    [Fact]
    public void The_system_libstdcxx_lists_its_versions_without_its_soname()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        ushort machine = ElfVersionNeeds.ReadMachine(pristinePath);
        string? system = ElfVersionNeeds.FindSystemLibrary("libstdc++.so.6", machine, null);
        if (system is null)
        {
            // A Linux without an x86-64 libstdc++ (an arm64 machine) has nothing to check here.
            return;
        }

        var versions = ElfVersionNeeds.ReadVersionDefinitions(File.ReadAllBytes(system));

        Assert.Contains("GLIBCXX_3.4", versions);
        Assert.Contains("CXXABI_1.3", versions);
        Assert.DoesNotContain("libstdc++.so.6", versions);
    }

    /// <summary>.NET has no API for hard links; ln is on every system these tests patch for.</summary>
    private static void HardLink(string existing, string link)
    {
        if (OperatingSystem.IsWindows())
        {
            File.Copy(existing, link);
            return;
        }

        var start = new ProcessStartInfo("ln") { RedirectStandardError = true };
        start.ArgumentList.Add(existing);
        start.ArgumentList.Add(link);
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "ln failed: " + error);
    }
}
