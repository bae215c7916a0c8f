using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MLNet.AdamW.WebService.Tests;

/// <summary>
/// The WebService sample in-process (an in-memory test server: no socket), with its model in a
/// temp folder of its own: the first start trains and saves it there, as on a fresh clone.
/// </summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    public ServiceFactory()
        : this(Path.Combine(Path.GetTempPath(), "mlnet-adamw-webservice-tests-" + Guid.NewGuid().ToString("N")))
    {
    }

    private ServiceFactory(string folder)
    {
        Folder = folder;
        Directory.CreateDirectory(folder);
    }

    /// <summary>Holds the model; deleted with the factory.</summary>
    public string Folder { get; }

    public string ModelPath => Path.Combine(Folder, "model.zip");

    /// <summary>Another service over the same model file (it loads what this one trained and saved).</summary>
    public WebApplicationFactory<Program> SecondService() => WithWebHostBuilder(_ => { });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Model:Path", ModelPath);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(Folder))
            Directory.Delete(Folder, recursive: true);
    }
}
