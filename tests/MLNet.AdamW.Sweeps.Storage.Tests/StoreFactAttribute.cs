using Xunit.Abstractions;
using Xunit.Sdk;

namespace MLNet.AdamW.Sweeps.Storage.Tests;

/// <summary>
/// A fact about a store. In a class marked <see cref="NeedsPostgresAttribute"/> it is skipped, by name
/// and with the reason, when no PostgreSQL server is configured — except under CI (CI=true), where it
/// runs and fails: CI must run the PostgreSQL tests (.ci/run starts a server).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("MLNet.AdamW.Sweeps.Storage.Tests.StoreFactDiscoverer", "MLNet.AdamW.Sweeps.Storage.Tests")]
public sealed class StoreFactAttribute : FactAttribute
{
}

/// <summary>The test class runs against the PostgreSQL server of <see cref="PostgresServer"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class NeedsPostgresAttribute : Attribute
{
    /// <summary>Whether the tests also restart the server (<see cref="PostgresServer.RestartVariable"/>).</summary>
    public bool Restart { get; init; }
}

/// <summary>Finds <see cref="StoreFactAttribute"/> tests.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    /// <inheritdoc/>
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        yield return new StoreTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
    }
}

/// <summary>An xunit test case skipped, in a class marked <see cref="NeedsPostgresAttribute"/>, when there is no server.</summary>
public sealed class StoreTestCase : XunitTestCase
{
    /// <summary>For the de-serializer.</summary>
    [Obsolete("Called by the de-serializer only.")]
    public StoreTestCase()
    {
    }

    /// <summary>Creates the test case.</summary>
    public StoreTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method)
        : base(sink, display, options, method)
    {
    }

    /// <inheritdoc/>
    protected override string? GetSkipReason(IAttributeInfo factAttribute)
    {
        // Decided where the test runs (discovery and execution see the same environment), from its class.
        var postgres = TestMethod.TestClass.Class.GetCustomAttributes(typeof(NeedsPostgresAttribute).AssemblyQualifiedName).FirstOrDefault();
        return (postgres is null ? null : PostgresServer.SkipReason(postgres.GetNamedArgument<bool>(nameof(NeedsPostgresAttribute.Restart))))
            ?? base.GetSkipReason(factAttribute);
    }
}
