using System.Data;
using System.Data.Common;
using Npgsql;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// A study store in a PostgreSQL database: for workers on several machines, or many workers on one.
/// </summary>
/// <remarks>
/// <para>
/// Claims lock the lowest waiting trial with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent workers never
/// wait for each other's rows; new trial numbers are assigned under the study row's lock. Heartbeats
/// and the grace period use the server's clock (<c>now()</c>), never the workers'.
/// </para>
/// <para>
/// A restarting or unreachable server (connection refused, an administrator's shutdown 57P01, a
/// broken connection, a serialization failure) does not fail a worker: the operation's transaction is
/// retried with backoff for up to <see cref="RetryFor"/> (two minutes) on fresh connections. Writes are
/// idempotent, so a finish retried after its commit's answer was lost does not write twice.
/// </para>
/// <para>The schema (the same tables as <see cref="SqliteStudyStore"/>) is created in the connection's
/// search path on first use, and a database written by a newer schema version is refused.</para>
/// </remarks>
public sealed class PostgresStudyStore : IStudyStore, IStoreDialect
{
    // Serializes the schema's creation among processes that open a new database at once.
    private const long SchemaLockKey = 0x4D4C4E5357454550; // "MLNSWEEP"

    private readonly NpgsqlDataSource _dataSource;
    private readonly SqlStudyStore _store;
    private readonly string _description;
    private bool _disposed;

    /// <summary>Opens the store in the database of <paramref name="connectionString"/> (an Npgsql connection string).</summary>
    /// <param name="connectionString">E.g. <c>Host=db.example;Username=sweeps;Password=…;Database=sweeps</c>.</param>
    /// <exception cref="ArgumentException">The connection string cannot be parsed.</exception>
    /// <exception cref="StudyStoreException">The server stayed unreachable, or the database was written by a newer version.</exception>
    public PostgresStudyStore(string connectionString)
        : this(connectionString, TimeSpan.FromMinutes(2))
    {
    }

    internal PostgresStudyStore(string connectionString, TimeSpan retryFor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The PostgreSQL connection string is not valid: {e.Message}", nameof(connectionString), e);
        }
        _description = $"PostgreSQL database '{builder.Database ?? builder.Username}' on {builder.Host}:{builder.Port}";
        _dataSource = NpgsqlDataSource.Create(builder);
        try
        {
            _store = new SqlStudyStore(this, retryFor);
        }
        catch
        {
            _dataSource.Dispose();
            throw;
        }
    }

    /// <summary>How long an operation is retried while the server is unreachable or restarting.</summary>
    public TimeSpan RetryFor
    {
        get => _store.RetryFor;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _store.RetryFor = value;
        }
    }

    /// <inheritdoc/>
    public StudyInfo CreateOrOpenStudy(StudyDefinition definition, bool allowMismatch = false) => Store.CreateOrOpenStudy(definition, allowMismatch);

    /// <inheritdoc/>
    public StudyInfo? FindStudy(string name) => Store.FindStudy(name);

    /// <inheritdoc/>
    public IReadOnlyList<StudyInfo> ListStudies() => Store.ListStudies();

    /// <inheritdoc/>
    public TrialClaim? TryClaim(long studyId, string worker, int maxTrials, Func<int, TrialSpec> specForNumber)
        => Store.TryClaim(studyId, worker, maxTrials, specForNumber);

    /// <inheritdoc/>
    public bool Heartbeat(long studyId, int number, string worker) => Store.Heartbeat(studyId, number, worker);

    /// <inheritdoc/>
    /// <remarks>A report for a trial that is not running (it was re-queued as stale) is dropped.</remarks>
    public void ReportIntermediate(long studyId, int number, int epoch, double value) => Store.ReportIntermediate(studyId, number, epoch, value);

    /// <inheritdoc/>
    public IReadOnlyList<double> IntermediateValuesAt(long studyId, int epoch) => Store.IntermediateValuesAt(studyId, epoch);

    /// <inheritdoc/>
    public bool Finish(long studyId, int number, string worker, TrialResult result) => Store.Finish(studyId, number, worker, result);

    /// <inheritdoc/>
    public int RequeueStale(long studyId, TimeSpan grace) => Store.RequeueStale(studyId, grace);

    /// <inheritdoc/>
    public IReadOnlyList<TrialRecord> GetTrials(long studyId) => Store.GetTrials(studyId);

    /// <summary>Closes the store's pooled connections.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _dataSource.Dispose();
    }

    private SqlStudyStore Store
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _store;
        }
    }

    string IStoreDialect.Description => _description;

    string IStoreDialect.Now => "now()";

    string IStoreDialect.WaitingRowLock => " FOR UPDATE SKIP LOCKED";

    DbConnection IStoreDialect.Open() => _dataSource.OpenConnection();

    DbTransaction IStoreDialect.Begin(DbConnection connection, bool write)
        // Reads see one snapshot (trials and their intermediate values agree); writes lock the rows they change.
        => ((NpgsqlConnection)connection).BeginTransaction(write ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead);

    void IStoreDialect.CreateSchema(DbConnection connection, DbTransaction transaction)
    {
        SqlStudyStore.Command(connection, transaction, "SELECT pg_advisory_xact_lock(@k)", ("k", SchemaLockKey)).ExecuteNonQuery();
        if (SqlStudyStore.Command(connection, transaction, "SELECT to_regclass('sweep_schema') IS NOT NULL").ExecuteScalar() is true)
            return;
        SqlStudyStore.Command(connection, transaction, """
            CREATE TABLE sweep_schema (version integer NOT NULL, library_version text NOT NULL);
            CREATE TABLE studies (
                id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                name text NOT NULL UNIQUE,
                search_space_json json NOT NULL,
                search_space_fingerprint text NOT NULL,
                data_fingerprint text NOT NULL,
                metric text NOT NULL,
                maximize boolean NOT NULL,
                strategy_json json NOT NULL,
                seed integer NOT NULL,
                library_version text NOT NULL,
                created timestamptz NOT NULL);
            CREATE TABLE trials (
                study_id bigint NOT NULL REFERENCES studies (id),
                number integer NOT NULL,
                status integer NOT NULL,
                parameters_json json NOT NULL,
                seed integer NOT NULL,
                library_version text NOT NULL,
                data_fingerprint text NOT NULL,
                attempt integer NOT NULL,
                worker text,
                heartbeat timestamptz,
                started timestamptz,
                finished timestamptz,
                value double precision,
                std double precision,
                fold_values text,
                epochs_run integer,
                fit_ticks bigint,
                error text,
                PRIMARY KEY (study_id, number));
            CREATE INDEX trials_by_status ON trials (study_id, status, number);
            CREATE TABLE attempts (
                study_id bigint NOT NULL,
                number integer NOT NULL,
                attempt integer NOT NULL,
                worker text NOT NULL,
                started timestamptz NOT NULL,
                ended timestamptz,
                outcome text,
                PRIMARY KEY (study_id, number, attempt),
                FOREIGN KEY (study_id, number) REFERENCES trials (study_id, number));
            CREATE TABLE intermediate_values (
                study_id bigint NOT NULL,
                number integer NOT NULL,
                epoch integer NOT NULL,
                value double precision,
                PRIMARY KEY (study_id, number, epoch),
                FOREIGN KEY (study_id, number) REFERENCES trials (study_id, number));
            CREATE INDEX intermediate_values_by_epoch ON intermediate_values (study_id, epoch);
            """).ExecuteNonQuery();
    }

    void IStoreDialect.LockStudy(DbConnection connection, DbTransaction transaction, long studyId)
        => SqlStudyStore.Command(connection, transaction, "SELECT id FROM studies WHERE id = @s FOR UPDATE", ("s", studyId)).ExecuteNonQuery();

    object IStoreDialect.GraceParameter(TimeSpan grace) => grace;

    object IStoreDialect.DoubleParameter(double value) => value;

    string IStoreDialect.JsonParameter(string name) => $"CAST({name} AS json)";

    DateTimeOffset IStoreDialect.ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    bool IStoreDialect.IsTransient(Exception exception) => exception switch
    {
        // 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up), class 08
        // connection exceptions, 40001 serialization failure, 40P01 deadlock, 53300 too many connections.
        PostgresException e => e.IsTransient || e.SqlState is "57P01" or "57P02" or "57P03" or "40001" or "40P01" or "53300"
            || e.SqlState.StartsWith("08", StringComparison.Ordinal),
        // I/O errors, a refused connection, a timeout.
        NpgsqlException e => e.IsTransient,
        _ => false,
    };

    void IStoreDialect.AfterTransientError() => _dataSource.Clear();

    StudyStoreException IStoreDialect.Describe(DbException exception, string operation)
        => new($"Could not {operation} in the {_description}: {exception.Message}", exception);
}
