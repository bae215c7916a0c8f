using Microsoft.Data.Sqlite;

namespace MLNet.AdamW.Sweeps.Storage.Tests;

/// <summary>The store contract on a SQLite file (every handle opens the same file).</summary>
public sealed class SqliteStudyStoreContractTests : StudyStoreContract
{
    private readonly TempFolder _folder = new();

    protected override IStudyStore CreateHandle() => new SqliteStudyStore(_folder.File("sweep.db"));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _folder.Dispose();
    }
}

/// <summary>What only the SQLite file does: its journal, its schema version, damaged and foreign files.</summary>
public sealed class SqliteStudyStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string DbPath => _folder.File("sweep.db");

    private static void Sql(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private long CreateStudyWithOneTrial(string name)
    {
        using var store = new SqliteStudyStore(DbPath);
        var study = store.CreateOrOpenStudy(Studies.Definition(name));
        var claim = store.TryClaim(study.Id, "w", 1, Studies.Spec)!;
        store.Finish(study.Id, claim.Number, "w", Studies.Complete(0.9));
        return study.Id;
    }

    [Fact]
    public void The_file_is_in_WAL_mode_with_schema_version_1_and_the_spec_stored_structured()
    {
        var id = CreateStudyWithOneTrial("s");

        Assert.Equal("wal", Scalar(DbPath, "PRAGMA journal_mode"));
        Assert.Equal(1L, Scalar(DbPath, "SELECT version FROM sweep_schema"));
        Assert.Equal(0.1 / 3, Scalar(DbPath, $"SELECT json_extract(parameters_json, '$.LearningRate') FROM trials WHERE study_id = {id}"));
        Assert.Equal(1000L, Scalar(DbPath, $"SELECT seed FROM trials WHERE study_id = {id}"));
        Assert.Equal("Complete", Scalar(DbPath, $"SELECT outcome FROM attempts WHERE study_id = {id}"));
    }

    [Fact]
    public void A_file_written_by_a_newer_schema_version_is_refused_and_left_as_it_is()
    {
        CreateStudyWithOneTrial("s");
        Sql(DbPath, "UPDATE sweep_schema SET version = 2, library_version = '9.0.0'");
        var before = File.ReadAllBytes(DbPath);

        var error = Assert.Throws<StudyStoreException>(() => new SqliteStudyStore(DbPath));

        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
        Assert.Contains("schema version 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("9.0.0", error.Message, StringComparison.Ordinal);
        Assert.Contains(DbPath, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }

    [Fact]
    public void A_damaged_file_fails_clearly_is_never_written_and_keeps_its_other_studies()
    {
        CreateStudyWithOneTrial("first");
        CreateStudyWithOneTrial("second");
        Sql(DbPath, "PRAGMA wal_checkpoint(TRUNCATE)");
        var intact = File.ReadAllBytes(DbPath);
        var damaged = (byte[])intact.Clone();
        "not a database!!"u8.CopyTo(damaged); // the 16-byte header
        File.WriteAllBytes(DbPath, damaged);

        var error = Assert.Throws<StudyStoreException>(() => StudyStore.Open("sqlite:" + DbPath));

        Assert.Contains(DbPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.Contains("left untouched", error.Message, StringComparison.Ordinal);
        Assert.Equal(damaged, File.ReadAllBytes(DbPath));
        // Repaired (the header restored from a backup), both studies are there.
        File.WriteAllBytes(DbPath, intact);
        using var store = new SqliteStudyStore(DbPath);
        Assert.Equal(["first", "second"], store.ListStudies().Select(s => s.Definition.Name));
        Assert.All(store.ListStudies(), s => Assert.Equal(TrialStatus.Complete, store.GetTrials(s.Id).Single().Status));
    }

    [Fact]
    public void A_file_of_random_bytes_is_refused_and_left_as_it_is()
    {
        var bytes = new byte[8192];
        new Random(8).NextBytes(bytes);
        File.WriteAllBytes(DbPath, bytes);

        var error = Assert.Throws<StudyStoreException>(() => new SqliteStudyStore(DbPath));

        Assert.Contains("not a study store or is damaged", error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(DbPath));
    }

    [Fact]
    public void A_database_of_another_application_is_refused_and_left_as_it_is()
    {
        Sql(DbPath, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5);");

        var error = Assert.Throws<StudyStoreException>(() => new SqliteStudyStore(DbPath));

        Assert.Contains("another application", error.Message, StringComparison.Ordinal);
        Assert.Contains("invoices", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, Scalar(DbPath, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sweep_schema'"));
        Assert.Equal(12.5, Scalar(DbPath, "SELECT total FROM invoices"));
    }

    [Fact]
    public void A_report_for_a_trial_that_was_re_queued_is_dropped()
    {
        using var store = new SqliteStudyStore(DbPath);
        var study = store.CreateOrOpenStudy(Studies.Definition());
        var claim = store.TryClaim(study.Id, "zombie", 2, Studies.Spec)!;
        Thread.Sleep(30);
        store.RequeueStale(study.Id, TimeSpan.Zero);

        store.ReportIntermediate(study.Id, claim.Number, 1, 0.99);

        Assert.Empty(store.IntermediateValuesAt(study.Id, 1));
        Assert.Empty(store.GetTrials(study.Id).Single().Intermediate);
    }

    [Fact]
    public void A_file_locked_by_another_writer_waits_then_fails_clearly_after_the_retry_time()
    {
        using var store = new SqliteStudyStore(DbPath, busyTimeout: TimeSpan.FromMilliseconds(200)) { RetryFor = TimeSpan.FromMilliseconds(500) };
        var study = store.CreateOrOpenStudy(Studies.Definition());
        using var other = new SqliteConnection($"Data Source={DbPath};Pooling=False;Default Timeout=1");
        other.Open();
        using var holder = other.BeginTransaction(deferred: false);

        var error = Assert.Throws<StudyStoreException>(() => store.TryClaim(study.Id, "w", 1, Studies.Spec));
        Assert.Contains("kept failing", error.Message, StringComparison.Ordinal);
        Assert.Contains("locked", error.Message, StringComparison.Ordinal);

        holder.Rollback();
        Assert.Equal(0, store.TryClaim(study.Id, "w", 1, Studies.Spec)!.Number);
    }

    [Fact]
    public void Bad_arguments_fail_naming_the_argument_before_touching_the_file()
    {
        using var store = new SqliteStudyStore(DbPath);
        var study = store.CreateOrOpenStudy(Studies.Definition());

        Assert.Equal("grace", Assert.Throws<ArgumentOutOfRangeException>(() => store.RequeueStale(study.Id, TimeSpan.FromSeconds(-1))).ParamName);
        Assert.Equal("maxTrials", Assert.Throws<ArgumentOutOfRangeException>(() => store.TryClaim(study.Id, "w", -1, Studies.Spec)).ParamName);
        Assert.Equal("worker", Assert.Throws<ArgumentException>(() => store.TryClaim(study.Id, " ", 1, Studies.Spec)).ParamName);
        Assert.Equal("epoch", Assert.Throws<ArgumentOutOfRangeException>(() => store.ReportIntermediate(study.Id, 0, 0, 0.5)).ParamName);
        Assert.Empty(store.GetTrials(study.Id));
    }

    public void Dispose() => _folder.Dispose();
}
