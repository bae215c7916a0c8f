namespace MLNet.AdamW.Sweeps.Storage.Tests;

public sealed class StudyStoreFactoryTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void A_sqlite_storage_string_opens_a_SQLite_file_and_creates_it()
    {
        var path = _folder.File("sweep.db");
        using (var store = StudyStore.Open("sqlite:" + path))
        {
            Assert.Equal(path, Assert.IsType<SqliteStudyStore>(store).FilePath);
            store.CreateOrOpenStudy(Studies.Definition());
        }
        Assert.True(File.Exists(path));
        using var again = StudyStore.Open("SQLite: " + path);
        Assert.Equal("adamw-lr-wd", again.ListStudies().Single().Definition.Name);
    }

    [Theory]
    [InlineData("mysql:Server=db", "Unknown storage 'mysql:Server=db'")]
    [InlineData("sweep.db", "Unknown storage 'sweep.db'")]
    [InlineData("", "Unknown storage ''")]
    [InlineData("sqlite:", "names no file")]
    [InlineData("postgres:  ", "names no connection string")]
    public void A_bad_storage_string_fails_naming_the_accepted_forms(string storage, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => StudyStore.Open(storage));
        Assert.Equal("storage", error.ParamName);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        if (expected.StartsWith("Unknown", StringComparison.Ordinal))
        {
            Assert.Contains("sqlite:<file>", error.Message, StringComparison.Ordinal);
            Assert.Contains("postgres:<Npgsql connection string>", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_postgres_storage_string_that_cannot_be_parsed_fails_naming_the_connection_string()
    {
        var error = Assert.Throws<ArgumentException>(() => StudyStore.Open("postgres:Hots=localhost"));
        Assert.Contains("PostgreSQL connection string is not valid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sqlite_file_in_a_missing_folder_fails_naming_the_folder()
    {
        var path = Path.Combine(_folder.Path, "missing", "sweep.db");
        var error = Assert.Throws<DirectoryNotFoundException>(() => StudyStore.Open("sqlite:" + path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
