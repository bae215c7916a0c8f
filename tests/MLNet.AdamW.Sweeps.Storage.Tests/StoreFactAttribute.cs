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

/// <summary>Finds <see cref="StoreFactAttribute"/> tests and gives those of PostgreSQL classes their skip reason.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    /// <inheritdoc/>
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var postgres = testMethod.TestClass.Class.GetCustomAttributes(typeof(NeedsPostgresAttribute).AssemblyQualifiedName).FirstOrDefault();
        var skip = postgres is null ? null : PostgresServer.SkipReason(postgres.GetNamedArgument<bool>(nameof(NeedsPostgresAttribute.Restart)));
        yield return new StoreTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skip);
    }
}

/// <summary>An xunit test case whose skip reason is decided at discovery.</summary>
public sealed class StoreTestCase : XunitTestCase
{
    private string? _skip;

    /// <summary>For the de-serializer.</summary>
    [Obsolete("Called by the de-serializer only.")]
    public StoreTestCase()
    {
    }

    /// <summary>Creates the test case.</summary>
    public StoreTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method, string? skip)
        : base(sink, display, options, method)
    {
        _skip = skip;
    }

    /// <inheritdoc/>
    protected override string? GetSkipReason(IAttributeInfo factAttribute) => _skip ?? base.GetSkipReason(factAttribute);

    /// <inheritdoc/>
    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("StoreSkip", _skip);
    }

    /// <inheritdoc/>
    public override void Deserialize(IXunitSerializationInfo data)
    {
        base.Deserialize(data);
        _skip = data.GetValue<string>("StoreSkip");
    }
}
