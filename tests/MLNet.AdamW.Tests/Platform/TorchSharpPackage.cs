using System.IO.Compression;
using System.Reflection;
using TorchSharp;

namespace MLNet.AdamW.Tests.Platform;

/// <summary>Where the pristine TorchSharp native library lives in the NuGet cache.</summary>
internal static class TorchSharpPackage
{
    public const string LinuxX64Native = "runtimes/linux-x64/native/libLibTorchSharp.so";

    public static string Version
    {
        get
        {
            // The package version, not the assembly version (0.107.0.0): it names the cache folder.
            string? informational = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            Assert.False(string.IsNullOrEmpty(informational), "TorchSharp.dll has no informational version to find its package by.");
            return informational!.Split('+')[0];
        }
    }

    public static string PackagesRoot =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>The linux-x64 libLibTorchSharp.so in the NuGet cache; fails the test when absent.</summary>
    public static string PristineLinuxX64Library()
    {
        string path = Path.Combine(PackagesRoot, "torchsharp", Version, LinuxX64Native);

        // Restore extracts every runtime of the package on every OS, so absence means the
        // cache is somewhere these tests do not know about: that must be fixed, not skipped.
        Assert.True(File.Exists(path), $"TorchSharp's native library was not found at {path}. Restore the solution, or set NUGET_PACKAGES to the NuGet global packages folder.");
        return path;
    }

    /// <summary>The same file read from the package archive itself, or null where the cache keeps no .nupkg.</summary>
    public static byte[]? LinuxX64LibraryFromNupkg()
    {
        string nupkg = Path.Combine(PackagesRoot, "torchsharp", Version, $"torchsharp.{Version}.nupkg");
        if (!File.Exists(nupkg))
        {
            return null;
        }

        using var archive = ZipFile.OpenRead(nupkg);
        var entry = archive.GetEntry(LinuxX64Native);
        Assert.NotNull(entry);
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
