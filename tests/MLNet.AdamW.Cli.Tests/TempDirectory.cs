namespace MLNet.AdamW.Cli.Tests;

/// <summary>A fresh folder under the temp folder, deleted at the end.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("mlnet-adamw-cli-tests.").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a file of lines and returns its path.</summary>
    public string Write(string name, params string[] lines)
    {
        var path = File(name);
        System.IO.File.WriteAllLines(path, lines);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the temp folder is cleaned eventually.
        }
    }
}
