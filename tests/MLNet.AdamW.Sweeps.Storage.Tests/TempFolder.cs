namespace MLNet.AdamW.Sweeps.Storage.Tests;

/// <summary>A folder of its own for one test, deleted at its end.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mlnet-adamw-store-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A killed worker's file may still be held for a moment; the temp folder is cleaned by the system.
        }
    }
}
