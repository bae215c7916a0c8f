namespace MLNet.AdamW.WebService.Tests;

/// <summary>
/// One service (and one model, trained once) for every test class; the classes run one after
/// another, so that no two trainings share libtorch's process-wide generator and thread count.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedService : ICollectionFixture<ServiceFactory>
{
    public const string Name = "WebService";
}
