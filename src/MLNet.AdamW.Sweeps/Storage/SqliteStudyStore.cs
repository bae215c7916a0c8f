using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// A study store in one SQLite file: the embedded default, for workers on one machine (several
/// worker processes may share the file).
/// </summary>
/// <remarks>
/// <para>
/// The file is opened in WAL mode (readers never wait for the writer) with a busy timeout and
/// <c>synchronous = FULL</c>, so a committed trial survives a killed process and a power cut. SQLite
/// has no <c>SELECT … FOR UPDATE</c>: a claim is a conditional update inside a write transaction
/// (<c>BEGIN IMMEDIATE</c>, which takes the file's write lock at its start), retried while the file is
/// busy. Heartbeats and the grace period use the database's clock (<c>julianday('now')</c>).
/// </para>
/// <para>
/// The file's schema is versioned: a file written by a newer version is refused with a
/// <see cref="StudyStoreException"/>, as is a damaged file or a database of another application;
/// such a file is never written, truncated or replaced.
/// </para>
/// </remarks>
public sealed class SqliteStudyStore : SqlStudyStore, IStoreDialect
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;
    private bool _released;

    /// <summary>Opens the store in the SQLite file at <paramref name="path"/>, creating the file if it does not exist.</summary>
    /// <param name="path">The file; its folder must exist.</param>
    /// <exception cref="StudyStoreException">The file is damaged, not a study store, or written by a newer version.</exception>
    public SqliteStudyStore(string path)
        : this(path, TimeSpan.FromSeconds(5))
    {
    }

    /// <param name="path">The file.</param>
    /// <param name="busyTimeout">
    /// How long a statement waits for another process's write lock before SQLite answers SQLITE_BUSY (then
    /// the whole transaction is retried, for up to <see cref="RetryFor"/>).
    /// </param>
    internal SqliteStudyStore(string path, TimeSpan busyTimeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _busyTimeoutMilliseconds = (int)busyTimeout.TotalMilliseconds;
        FilePath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(FilePath)!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The folder of the SQLite study store '{FilePath}' does not exist; create it first.");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy statement itself until this command timeout (whole seconds).
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString();
        try
        {
            Initialize(this, TimeSpan.FromMinutes(1));
        }
        catch
        {
            // A pooled connection would keep what it read of a damaged file.
            ClearPool();
            throw;
        }
    }

    /// <summary>The store's file, as a full path.</summary>
    public string FilePath { get; }

    /// <summary>How long an operation is retried while the file is busy (tests shorten it).</summary>
    internal TimeSpan RetryFor
    {
        get => RetryWindow;
        set => RetryWindow = value;
    }

    /// <summary>Closes the store's pooled connections, which releases the file.</summary>
    /// <param name="disposing">True from <see cref="SqlStudyStore.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            _released = true;
            ClearPool();
        }
        base.Dispose(disposing);
    }

    private void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    string IStoreDialect.Description => $"SQLite file '{FilePath}'";

    // Milliseconds since 1970 by the database's clock.
    string IStoreDialect.Now => "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)";

    string IStoreDialect.WaitingRowLock => "";

    DbConnection IStoreDialect.Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    DbTransaction IStoreDialect.Begin(DbConnection connection, bool write)
        => ((SqliteConnection)connection).BeginTransaction(deferred: !write);

    void IStoreDialect.CreateSchema(DbConnection connection, DbTransaction transaction)
    {
        var tables = new List<string>();
        using (var reader = SqlStudyStore.Command(connection, transaction,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").ExecuteReader())
        {
            while (reader.Read())
                tables.Add(reader.GetString(0));
        }
        if (tables.Contains("sweep_schema"))
            return;
        if (tables.Count > 0)
            throw new StudyStoreException(
                $"The SQLite file '{FilePath}' is a database of another application (tables {string.Join(", ", tables)}), not a study store; " +
                "it was left untouched. Point the storage at another file.");
        SqlStudyStore.Command(connection, transaction, """
            CREATE TABLE sweep_schema (version INTEGER NOT NULL, library_version TEXT NOT NULL);
            CREATE TABLE studies (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                search_space_json TEXT NOT NULL CHECK (json_valid(search_space_json)),
                search_space_fingerprint TEXT NOT NULL,
                data_fingerprint TEXT NOT NULL,
                metric TEXT NOT NULL,
                maximize INTEGER NOT NULL,
                strategy_json TEXT NOT NULL CHECK (json_valid(strategy_json)),
                seed INTEGER NOT NULL,
                library_version TEXT NOT NULL,
                created INTEGER NOT NULL);
            CREATE TABLE trials (
                study_id INTEGER NOT NULL REFERENCES studies (id),
                number INTEGER NOT NULL,
                status INTEGER NOT NULL,
                parameters_json TEXT NOT NULL CHECK (json_valid(parameters_json)),
                seed INTEGER NOT NULL,
                library_version TEXT NOT NULL,
                data_fingerprint TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                worker TEXT,
                heartbeat INTEGER,
                started INTEGER,
                finished INTEGER,
                value REAL,
                std REAL,
                fold_values TEXT,
                epochs_run INTEGER,
                fit_ticks INTEGER,
                error TEXT,
                PRIMARY KEY (study_id, number));
            CREATE INDEX trials_by_status ON trials (study_id, status, number);
            CREATE TABLE attempts (
                study_id INTEGER NOT NULL,
                number INTEGER NOT NULL,
                attempt INTEGER NOT NULL,
                worker TEXT NOT NULL,
                started INTEGER NOT NULL,
                ended INTEGER,
                outcome TEXT,
                PRIMARY KEY (study_id, number, attempt),
                FOREIGN KEY (study_id, number) REFERENCES trials (study_id, number));
            CREATE TABLE intermediate_values (
                study_id INTEGER NOT NULL,
                number INTEGER NOT NULL,
                epoch INTEGER NOT NULL,
                value REAL,
                PRIMARY KEY (study_id, number, epoch),
                FOREIGN KEY (study_id, number) REFERENCES trials (study_id, number));
            CREATE INDEX intermediate_values_by_epoch ON intermediate_values (study_id, epoch);
            """).ExecuteNonQuery();
    }

    void IStoreDialect.LockStudy(DbConnection connection, DbTransaction transaction, long studyId)
    {
        // BEGIN IMMEDIATE already holds the file's only write lock.
    }

    object IStoreDialect.GraceParameter(TimeSpan grace) => (long)Math.Round(grace.TotalMilliseconds);

    // A REAL column keeps text that is not a number as text: NaN is stored as 'NaN', not turned into NULL.
    object IStoreDialect.DoubleParameter(double value) => double.IsNaN(value) ? "NaN" : value;

    string IStoreDialect.JsonParameter(string name) => name;

    DateTimeOffset IStoreDialect.ReadTime(DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    bool IStoreDialect.IsTransient(Exception exception)
        => exception is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED };

    void IStoreDialect.AfterTransientError()
    {
    }

    StudyStoreException IStoreDialect.Describe(DbException exception, string operation)
        => exception is SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_NOTADB or SQLitePCL.raw.SQLITE_CORRUPT }
            ? new StudyStoreException(
                $"Could not {operation}: the SQLite file '{FilePath}' is not a study store or is damaged ({exception.Message}). " +
                "The file was left untouched: restore it from a backup, or point the storage at another file.", exception)
            : new StudyStoreException($"Could not {operation} in the SQLite file '{FilePath}': {exception.Message}", exception);
}
