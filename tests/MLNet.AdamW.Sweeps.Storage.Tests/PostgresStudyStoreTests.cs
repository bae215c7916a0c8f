using Npgsql;

namespace MLNet.AdamW.Sweeps.Storage.Tests;

/// <summary>The store contract on a PostgreSQL server (each test in a schema of its own).</summary>
[NeedsPostgres]
public sealed class PostgresStudyStoreContractTests : StudyStoreContract
{
    private readonly PostgresServer.Schema _schema = new(needsRestart: false);

    protected override IStudyStore CreateHandle() => new PostgresStudyStore(_schema.ConnectionString);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _schema.Dispose();
    }
}

/// <summary>What only the PostgreSQL store does: the server's clock, its schema version, an unreachable server.</summary>
[NeedsPostgres]
public sealed class PostgresStudyStoreTests : IDisposable
{
    private readonly PostgresServer.Schema _schema = new(needsRestart: false);

    private string ConnectionString => _schema.ConnectionString;

    private object? Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    [StoreFact]
    public void The_schema_is_versioned_and_the_spec_stored_structured_with_the_server_s_clock()
    {
        using var store = new PostgresStudyStore(ConnectionString);
        var study = store.CreateOrOpenStudy(Studies.Definition());
        var claim = store.TryClaim(study.Id, "w", 1, Studies.Spec)!;

        Assert.Equal(1, Scalar("SELECT version FROM sweep_schema"));
        Assert.Equal(0.1 / 3, Scalar($"SELECT (parameters_json ->> 'LearningRate')::double precision FROM trials WHERE study_id = {study.Id}"));
        Assert.Equal("json", Scalar("SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'trials' AND column_name = 'parameters_json'"));
        // The heartbeat is the server's now(), the same clock the grace period is measured on.
        Assert.True((bool)Scalar($"SELECT heartbeat BETWEEN now() - interval '1 minute' AND now() FROM trials WHERE study_id = {study.Id} AND number = {claim.Number}")!);
    }

    [StoreFact]
    public void A_database_written_by_a_newer_schema_version_is_refused_and_left_as_it_is()
    {
        using (var store = new PostgresStudyStore(ConnectionString))
            store.CreateOrOpenStudy(Studies.Definition());
        PostgresServer.Run("UPDATE sweep_schema SET version = 2, library_version = '9.0.0'", ConnectionString);

        var error = Assert.Throws<StudyStoreException>(() => new PostgresStudyStore(ConnectionString));

        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
        Assert.Contains("schema version 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Scalar("SELECT version FROM sweep_schema"));
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM studies"));
    }

    [StoreFact]
    public void An_unreachable_server_is_retried_then_fails_clearly_without_the_password()
    {
        // A port nobody listens on: connection refused, a transient error, retried until the bound.
        var unreachable = new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = 1, Password = "secret-pw", Timeout = 2 }.ToString();

        var error = Assert.Throws<StudyStoreException>(() => new PostgresStudyStore(unreachable, TimeSpan.FromMilliseconds(300)));

        Assert.Contains("kept failing", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
    }

    [StoreFact]
    public void A_retried_finish_whose_first_commit_landed_is_not_written_twice_and_not_reported_lost()
    {
        using var store = new PostgresStudyStore(ConnectionString);
        var study = store.CreateOrOpenStudy(Studies.Definition());
        var claim = store.TryClaim(study.Id, "w", 1, Studies.Spec)!;
        Assert.True(store.Finish(study.Id, claim.Number, "w", Studies.Complete(0.8)));
        var finished = store.GetTrials(study.Id).Single();

        // What a retry after a lost commit answer does: the same call again.
        Assert.True(store.Finish(study.Id, claim.Number, "w", Studies.Complete(0.8)));
        Assert.False(store.Finish(study.Id, claim.Number, "other", Studies.Complete(0.1)));

        var after = store.GetTrials(study.Id).Single();
        Assert.Equal((finished.Status, finished.Worker, finished.Attempt, finished.Finished), (after.Status, after.Worker, after.Attempt, after.Finished));
        Assert.Equal(finished.Result! with { FoldValues = [] }, after.Result! with { FoldValues = [] });
        Assert.Equal(1L, Scalar($"SELECT COUNT(*) FROM attempts WHERE study_id = {study.Id} AND outcome = 'Complete'"));
    }

    [StoreFact]
    public void A_transaction_killed_by_the_server_is_retried_on_a_new_connection()
    {
        using var store = new PostgresStudyStore(ConnectionString);
        var study = store.CreateOrOpenStudy(Studies.Definition());
        // Every pooled connection of the store is terminated by the server (57P01, as in a shutdown).
        PostgresServer.Run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database() AND application_name = ''");

        var claim = store.TryClaim(study.Id, "w", 1, Studies.Spec);

        Assert.Equal(0, claim!.Number);
        Assert.True(store.Finish(study.Id, 0, "w", Studies.Complete(0.5)));
    }

    public void Dispose() => _schema.Dispose();
}
