using System.Reflection;

namespace MLNet.AdamW.Internal;

/// <summary>
/// The internals bridge (MLNetInternals.cs) is valid for exactly the ML.NET version it was built
/// and tested against. NuGet lets an application force another one (a direct reference wins over
/// our [5.0.1] with only a warning, NU1608), and then an internal member that moved would fail
/// much later, as a MissingMethodException or worse. So creating a trainer and loading a model
/// first compare the ML.NET that is loaded with the one this assembly was built for.
/// </summary>
internal static class MLNetVersionCheck
{
    /// <summary>The AppContext switch that turns the check off, for whoever has verified another version.</summary>
    public const string IgnoreSwitch = "MLNet.AdamW.IgnoreMLNetVersionMismatch";

    private const string ExpectedKey = "MLNetInternalsVersion";

    private static readonly Lazy<string?> Mismatch = new(() => Describe(
        ExpectedVersion(typeof(MLNetVersionCheck).Assembly),
        // One public type from each assembly the bridge uses (build/MLNetInternals.targets).
        [typeof(Microsoft.ML.Runtime.IHostEnvironment).Assembly, typeof(Microsoft.ML.MLContext).Assembly]));

    /// <summary>Throws <see cref="InvalidOperationException"/> if the loaded ML.NET is not the expected version.</summary>
    public static void EnsureSupported()
    {
        if (Mismatch.Value is { } message && !(AppContext.TryGetSwitch(IgnoreSwitch, out var ignore) && ignore))
            throw new InvalidOperationException(message);
    }

    /// <summary>The ML.NET version this assembly's internals bridge was built for.</summary>
    public static string ExpectedVersion(Assembly assembly) =>
        assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == ExpectedKey)?.Value
        ?? throw new InvalidOperationException($"{assembly.GetName().Name} carries no {ExpectedKey} metadata; it was not built by MLNet.AdamW's project.");

    /// <summary>The message for the first of <paramref name="loaded"/> whose package version is not <paramref name="expected"/>, or null.</summary>
    public static string? Describe(string expected, IEnumerable<Assembly> loaded) =>
        Describe(expected, loaded.Select(a => (a.GetName().Name ?? "?", PackageVersion(a))));

    /// <summary>As <see cref="Describe(string, IEnumerable{Assembly})"/>, from assembly names and package versions.</summary>
    public static string? Describe(string expected, IEnumerable<(string Assembly, string? Version)> loaded)
    {
        foreach (var (name, version) in loaded)
        {
            if (version == expected)
                continue;
            var ours = typeof(MLNetVersionCheck).Assembly.GetName();
            return $"{ours.Name} {PackageVersion(typeof(MLNetVersionCheck).Assembly)} uses ML.NET internals and supports Microsoft.ML {expected} only, "
                + $"but this process loaded {name} {version ?? "of an unknown version"}. Reference Microsoft.ML {expected} "
                + $"(<PackageReference Include=\"Microsoft.ML\" Version=\"{expected}\" />) instead of the version that overrides it, "
                + $"or use an MLNet.AdamW release built for Microsoft.ML {version ?? "that version"}. "
                + $"Only if you have verified this combination yourself, set the AppContext switch {IgnoreSwitch} to true.";
        }
        return null;
    }

    /// <summary>The NuGet package version an assembly was built as: its informational version without the "+commit" suffix.</summary>
    public static string? PackageVersion(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (informational is null)
            return null;
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
