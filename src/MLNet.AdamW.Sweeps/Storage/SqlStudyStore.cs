using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// What differs between the SQL stores (SQLite, PostgreSQL): connections, transactions, the clock,
/// locking, the schema's types and which errors are worth retrying. Everything else is
/// <see cref="SqlStudyStore"/>.
/// </summary>
internal interface IStoreDialect
{
    /// <summary>Names the store in messages, e.g. "SQLite file '/data/sweep.db'".</summary>
    string Description { get; }

    /// <summary>The store's clock as an SQL expression, in the unit of the time columns.</summary>
    string Now { get; }

    /// <summary>Appended to the select of the lowest waiting trial (PostgreSQL: a row lock skipping locked rows).</summary>
    string WaitingRowLock { get; }

    /// <summary>An opened connection, set up for the store.</summary>
    DbConnection Open();

    /// <summary>A transaction: for a write, one that holds the right to write from its start.</summary>
    DbTransaction Begin(DbConnection connection, bool write);

    /// <summary>Creates the tables if they do not exist (the caller then checks the schema version).</summary>
    void CreateSchema(DbConnection connection, DbTransaction transaction);

    /// <summary>Serializes the creation of new trial numbers of one study (a no-op where the write transaction already does).</summary>
    void LockStudy(DbConnection connection, DbTransaction transaction, long studyId);

    /// <summary>A grace period as the parameter that <c>Now - @grace</c> takes.</summary>
    object GraceParameter(TimeSpan grace);

    /// <summary>A double as the parameter the store keeps exactly (SQLite turns NaN into NULL otherwise).</summary>
    object DoubleParameter(double value);

    /// <summary>A JSON parameter as the SQL expression its column takes.</summary>
    string JsonParameter(string name);

    /// <summary>Reads a time column.</summary>
    DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    /// <summary>Whether the error may pass if the operation is tried again (busy file, restarting server).</summary>
    bool IsTransient(Exception exception);

    /// <summary>Called after a transient error, before the retry (PostgreSQL drops its pooled connections).</summary>
    void AfterTransientError();

    /// <summary>The error as a <see cref="StudyStoreException"/> saying what is wrong with the store and what to do.</summary>
    StudyStoreException Describe(DbException exception, string operation);
}

/// <summary>
/// What <see cref="SqliteStudyStore"/> and <see cref="PostgresStudyStore"/> share: one schema (versioned),
/// every method one transaction, retried as a whole on transient errors for a bounded time.
/// </summary>
/// <remarks>
/// Tables: <c>sweep_schema</c> (version), <c>studies</c>, <c>trials</c> (spec stored structured:
/// parameters JSON, seed, library version, data fingerprint; status, attempt, worker, heartbeat,
/// result), <c>attempts</c> (every claim of a trial and how it ended: the re-queue history) and
/// <c>intermediate_values</c> (study, trial, epoch). A claim is a conditional update of the lowest
/// waiting trial or the insert of a new number, inside one write transaction. A report for a trial that
/// is not running (it was re-queued as stale) is dropped, as its finish is refused.
/// </remarks>
public abstract class SqlStudyStore : IStudyStore
{
    /// <summary>The schema version this library writes and reads.</summary>
    internal const int SchemaVersion = 1;

    private static readonly JsonSerializerOptions FoldJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private IStoreDialect? _dialect;
    private bool _disposed;

    private protected SqlStudyStore()
    {
    }

    /// <summary>Opens the store (creating or checking its schema); the derived constructor calls it once its settings are set.</summary>
    private protected void Initialize(IStoreDialect dialect, TimeSpan retryFor)
    {
        _dialect = dialect;
        RetryWindow = retryFor;
        Execute("open the store", write: true, InitializeSchema);
    }

    /// <summary>How long an operation is retried on transient errors before it fails.</summary>
    internal TimeSpan RetryWindow { get; set; }

    private IStoreDialect Dialect
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _dialect ?? throw new InvalidOperationException("The store is not initialized.");
        }
    }

    /// <summary>The library version written into the schema row (the assembly's informational version).</summary>
    internal static string LibraryVersion { get; } = ReadLibraryVersion();

    private static string ReadLibraryVersion()
    {
        var version = typeof(SqlStudyStore).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }

    private void InitializeSchema(DbConnection connection, DbTransaction transaction)
    {
        Dialect.CreateSchema(connection, transaction);
        using var reader = Command(connection, transaction, "SELECT version, library_version FROM sweep_schema").ExecuteReader();
        if (!reader.Read())
        {
            reader.Close();
            Command(connection, transaction, "INSERT INTO sweep_schema (version, library_version) VALUES (@v, @l)",
                ("v", SchemaVersion), ("l", LibraryVersion)).ExecuteNonQuery();
            return;
        }
        var version = reader.GetInt32(0);
        var writer = reader.GetString(1);
        if (version > SchemaVersion)
            throw new StudyStoreException(
                $"The {Dialect.Description} was written by a newer MLNet.AdamW.Sweeps (schema version {version}, library {writer}); " +
                $"this library ({LibraryVersion}) reads schema version {SchemaVersion} at most. Upgrade MLNet.AdamW.Sweeps, or use another store.");
    }

    /// <inheritdoc/>
    public StudyInfo CreateOrOpenStudy(StudyDefinition definition, bool allowMismatch = false)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrWhiteSpace(definition.Name, nameof(definition));
        return Execute($"create or open study '{definition.Name}'", write: true, (connection, transaction) =>
        {
            Command(connection, transaction,
                "INSERT INTO studies (name, search_space_json, search_space_fingerprint, data_fingerprint, metric, maximize, strategy_json, seed, library_version, created) " +
                $"VALUES (@name, {Dialect.JsonParameter("@space")}, @spacefp, @datafp, @metric, @max, {Dialect.JsonParameter("@strategy")}, @seed, @lib, {Dialect.Now}) " +
                "ON CONFLICT (name) DO NOTHING",
                ("name", definition.Name), ("space", definition.SearchSpaceJson), ("spacefp", definition.SearchSpaceFingerprint),
                ("datafp", definition.DataFingerprint), ("metric", definition.Metric), ("max", definition.Maximize),
                ("strategy", definition.StrategyJson), ("seed", definition.Seed), ("lib", definition.LibraryVersion)).ExecuteNonQuery();
            var stored = ReadStudies(connection, transaction, definition.Name).Single();
            if (!allowMismatch && StudyDefinitions.Differences(stored.Definition, definition) is { Length: > 0 } differences)
                throw new StudyMismatchException(StudyDefinitions.MismatchMessage(definition.Name, differences));
            return stored;
        });
    }

    /// <inheritdoc/>
    public StudyInfo? FindStudy(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Execute($"find study '{name}'", write: false, (connection, transaction) => ReadStudies(connection, transaction, name).SingleOrDefault());
    }

    /// <inheritdoc/>
    public IReadOnlyList<StudyInfo> ListStudies()
        => Execute("list the studies", write: false, (connection, transaction) => ReadStudies(connection, transaction, name: null));

    private List<StudyInfo> ReadStudies(DbConnection connection, DbTransaction transaction, string? name)
    {
        using var reader = Command(connection, transaction,
            "SELECT id, name, search_space_json, search_space_fingerprint, data_fingerprint, metric, maximize, strategy_json, seed, library_version, created " +
            "FROM studies" + (name is null ? "" : " WHERE name = @name") + " ORDER BY name",
            name is null ? [] : [("name", name)]).ExecuteReader();
        var studies = new List<StudyInfo>();
        while (reader.Read())
        {
            var definition = new StudyDefinition(
                reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                Convert.ToBoolean(reader.GetValue(6), CultureInfo.InvariantCulture), reader.GetString(7), reader.GetInt32(8), reader.GetString(9));
            studies.Add(new StudyInfo(reader.GetInt64(0), definition, Dialect.ReadTime(reader, 10)));
        }
        return studies;
    }

    /// <inheritdoc/>
    public TrialClaim? TryClaim(long studyId, string worker, int maxTrials, Func<int, TrialSpec> specForNumber)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(worker);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTrials);
        ArgumentNullException.ThrowIfNull(specForNumber);
        return Execute("claim a trial", write: true, (connection, transaction) =>
        {
            var waiting = Command(connection, transaction,
                $"SELECT number FROM trials WHERE study_id = @s AND status = {(int)TrialStatus.Waiting} ORDER BY number LIMIT 1{Dialect.WaitingRowLock}",
                ("s", studyId)).ExecuteScalar();
            if (waiting is not null and not DBNull)
                return ClaimWaiting(connection, transaction, studyId, Convert.ToInt32(waiting, CultureInfo.InvariantCulture), worker);

            Dialect.LockStudy(connection, transaction, studyId);
            var count = Convert.ToInt64(Command(connection, transaction, "SELECT COUNT(*) FROM trials WHERE study_id = @s", ("s", studyId)).ExecuteScalar(), CultureInfo.InvariantCulture);
            if (count >= maxTrials)
                return null;
            var number = Convert.ToInt32(Command(connection, transaction,
                "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM trials WHERE study_id = @s AND number = 0) THEN 0 ELSE " +
                "(SELECT MIN(t.number + 1) FROM trials t WHERE t.study_id = @s AND NOT EXISTS " +
                "(SELECT 1 FROM trials u WHERE u.study_id = @s AND u.number = t.number + 1)) END",
                ("s", studyId)).ExecuteScalar(), CultureInfo.InvariantCulture);
            var spec = specForNumber(number) ?? throw new InvalidOperationException($"The spec for trial {number} is null: specForNumber must return one.");
            Command(connection, transaction,
                "INSERT INTO trials (study_id, number, status, parameters_json, seed, library_version, data_fingerprint, attempt, worker, heartbeat, started) " +
                $"VALUES (@s, @n, {(int)TrialStatus.Running}, {Dialect.JsonParameter("@p")}, @seed, @lib, @data, 1, @w, {Dialect.Now}, {Dialect.Now})",
                ("s", studyId), ("n", number), ("p", spec.ParametersJson), ("seed", spec.Seed), ("lib", spec.LibraryVersion),
                ("data", spec.DataFingerprint), ("w", worker)).ExecuteNonQuery();
            InsertAttempt(connection, transaction, studyId, number, 1, worker);
            return new TrialClaim(number, spec, 1);
        });
    }

    private TrialClaim ClaimWaiting(DbConnection connection, DbTransaction transaction, long studyId, int number, string worker)
    {
        using (var reader = Command(connection, transaction,
            $"UPDATE trials SET status = {(int)TrialStatus.Running}, attempt = attempt + 1, worker = @w, heartbeat = {Dialect.Now}, started = {Dialect.Now}, finished = NULL " +
            $"WHERE study_id = @s AND number = @n AND status = {(int)TrialStatus.Waiting} RETURNING parameters_json, seed, library_version, data_fingerprint, attempt",
            ("s", studyId), ("n", number), ("w", worker)).ExecuteReader())
        {
            // The write transaction (SQLite) or the row lock (PostgreSQL) keeps the row waiting until here.
            if (!reader.Read())
                throw new InvalidOperationException($"Trial {number} stopped waiting inside the claim's transaction.");
            var spec = new TrialSpec(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3));
            var attempt = reader.GetInt32(4);
            reader.Close();
            InsertAttempt(connection, transaction, studyId, number, attempt, worker);
            return new TrialClaim(number, spec, attempt);
        }
    }

    private void InsertAttempt(DbConnection connection, DbTransaction transaction, long studyId, int number, int attempt, string worker)
        => Command(connection, transaction,
            $"INSERT INTO attempts (study_id, number, attempt, worker, started) VALUES (@s, @n, @a, @w, {Dialect.Now})",
            ("s", studyId), ("n", number), ("a", attempt), ("w", worker)).ExecuteNonQuery();

    /// <inheritdoc/>
    public bool Heartbeat(long studyId, int number, string worker)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(worker);
        return Execute("send a heartbeat", write: true, (connection, transaction) => Command(connection, transaction,
            $"UPDATE trials SET heartbeat = {Dialect.Now} WHERE study_id = @s AND number = @n AND status = {(int)TrialStatus.Running} AND worker = @w",
            ("s", studyId), ("n", number), ("w", worker)).ExecuteNonQuery() == 1);
    }

    /// <inheritdoc/>
    public void ReportIntermediate(long studyId, int number, int epoch, double value)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epoch);
        // Only a running trial takes reports: a worker that lost its trial (re-queued as stale) must not
        // write into the rerun's rungs, as it must not finish it.
        Execute("report an intermediate value", write: true, (connection, transaction) => Command(connection, transaction,
            "INSERT INTO intermediate_values (study_id, number, epoch, value) SELECT @s, @n, @e, @v " +
            $"WHERE EXISTS (SELECT 1 FROM trials WHERE study_id = @s AND number = @n AND status = {(int)TrialStatus.Running}) " +
            "ON CONFLICT (study_id, number, epoch) DO UPDATE SET value = excluded.value",
            ("s", studyId), ("n", number), ("e", epoch), ("v", Dialect.DoubleParameter(value))).ExecuteNonQuery());
    }

    /// <inheritdoc/>
    public IReadOnlyList<double> IntermediateValuesAt(long studyId, int epoch)
        => Execute("read intermediate values", write: false, (connection, transaction) =>
        {
            using var reader = Command(connection, transaction,
                "SELECT value FROM intermediate_values WHERE study_id = @s AND epoch = @e ORDER BY number",
                ("s", studyId), ("e", epoch)).ExecuteReader();
            var values = new List<double>();
            while (reader.Read())
                values.Add(ReadDouble(reader, 0));
            return values;
        });

    /// <inheritdoc/>
    public bool Finish(long studyId, int number, string worker, TrialResult result)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(worker);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Status is not (TrialStatus.Complete or TrialStatus.Pruned or TrialStatus.Failed))
            throw new ArgumentException($"A trial finishes as Complete, Pruned or Failed, not {result.Status}.", nameof(result));
        ArgumentNullException.ThrowIfNull(result.FoldValues, nameof(result));
        var folds = JsonSerializer.Serialize(result.FoldValues, FoldJson);
        return Execute("finish a trial", write: true, (connection, transaction) =>
        {
            var written = Command(connection, transaction,
                "UPDATE trials SET status = @st, value = @v, std = @sd, fold_values = @f, epochs_run = @e, fit_ticks = @t, error = @err, " +
                $"finished = {Dialect.Now}, heartbeat = NULL WHERE study_id = @s AND number = @n AND status = {(int)TrialStatus.Running} AND worker = @w",
                ("st", (int)result.Status), ("v", result.Value is { } v ? Dialect.DoubleParameter(v) : null),
                ("sd", result.StandardDeviation is { } sd ? Dialect.DoubleParameter(sd) : null), ("f", folds), ("e", result.EpochsRun),
                ("t", result.FitTime.Ticks), ("err", result.Error), ("s", studyId), ("n", number), ("w", worker)).ExecuteNonQuery();
            if (written == 1)
            {
                Command(connection, transaction,
                    $"UPDATE attempts SET ended = {Dialect.Now}, outcome = @o WHERE study_id = @s AND number = @n " +
                    "AND attempt = (SELECT attempt FROM trials WHERE study_id = @s AND number = @n)",
                    ("o", result.Status.ToString()), ("s", studyId), ("n", number)).ExecuteNonQuery();
                return true;
            }
            // Written already by this worker: a retry after the commit's answer was lost (a restarting
            // server) sees its own result, and must neither write it twice nor report the trial lost.
            using var reader = Command(connection, transaction, "SELECT status, worker FROM trials WHERE study_id = @s AND number = @n",
                ("s", studyId), ("n", number)).ExecuteReader();
            return reader.Read() && reader.GetInt32(0) is (int)TrialStatus.Complete or (int)TrialStatus.Pruned or (int)TrialStatus.Failed
                && !reader.IsDBNull(1) && reader.GetString(1) == worker;
        });
    }

    /// <inheritdoc/>
    public int RequeueStale(long studyId, TimeSpan grace)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero);
        return Execute("re-queue stale trials", write: true, (connection, transaction) =>
        {
            var stale = new List<(int Number, int Attempt)>();
            using (var reader = Command(connection, transaction,
                $"UPDATE trials SET status = {(int)TrialStatus.Waiting}, heartbeat = NULL " +
                $"WHERE study_id = @s AND status = {(int)TrialStatus.Running} AND heartbeat < {Dialect.Now} - @g RETURNING number, attempt",
                ("s", studyId), ("g", Dialect.GraceParameter(grace))).ExecuteReader())
            {
                while (reader.Read())
                    stale.Add((reader.GetInt32(0), reader.GetInt32(1)));
            }
            foreach (var (number, attempt) in stale)
            {
                Command(connection, transaction,
                    $"UPDATE attempts SET ended = {Dialect.Now}, outcome = 'Stale' WHERE study_id = @s AND number = @n AND attempt = @a",
                    ("s", studyId), ("n", number), ("a", attempt)).ExecuteNonQuery();
                Command(connection, transaction, "DELETE FROM intermediate_values WHERE study_id = @s AND number = @n",
                    ("s", studyId), ("n", number)).ExecuteNonQuery();
            }
            return stale.Count;
        });
    }

    /// <inheritdoc/>
    public IReadOnlyList<TrialRecord> GetTrials(long studyId)
        => Execute("read the trials", write: false, (connection, transaction) =>
        {
            var intermediate = new Dictionary<int, List<IntermediateValue>>();
            using (var reader = Command(connection, transaction,
                "SELECT number, epoch, value FROM intermediate_values WHERE study_id = @s ORDER BY number, epoch", ("s", studyId)).ExecuteReader())
            {
                while (reader.Read())
                {
                    var number = reader.GetInt32(0);
                    if (!intermediate.TryGetValue(number, out var values))
                        intermediate[number] = values = [];
                    values.Add(new IntermediateValue(reader.GetInt32(1), ReadDouble(reader, 2)));
                }
            }
            var trials = new List<TrialRecord>();
            using (var reader = Command(connection, transaction,
                "SELECT number, status, parameters_json, seed, library_version, data_fingerprint, attempt, worker, started, finished, " +
                "value, std, fold_values, epochs_run, fit_ticks, error FROM trials WHERE study_id = @s ORDER BY number", ("s", studyId)).ExecuteReader())
            {
                while (reader.Read())
                {
                    var number = reader.GetInt32(0);
                    var status = (TrialStatus)reader.GetInt32(1);
                    var result = status is TrialStatus.Complete or TrialStatus.Pruned or TrialStatus.Failed
                        ? new TrialResult(status, ReadNullableDouble(reader, 10), ReadNullableDouble(reader, 11),
                            JsonSerializer.Deserialize<double[]>(reader.GetString(12), FoldJson)!, reader.GetInt32(13),
                            TimeSpan.FromTicks(reader.GetInt64(14)), reader.IsDBNull(15) ? null : reader.GetString(15))
                        : null;
                    trials.Add(new TrialRecord(
                        number, status, new TrialSpec(reader.GetString(2), reader.GetInt32(3), reader.GetString(4), reader.GetString(5)),
                        reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7), result,
                        reader.IsDBNull(8) ? null : Dialect.ReadTime(reader, 8), reader.IsDBNull(9) ? null : Dialect.ReadTime(reader, 9),
                        intermediate.TryGetValue(number, out var values) ? values : []));
                }
            }
            return trials;
        });

    /// <summary>A double column; SQLite keeps a NaN as the text 'NaN' (<see cref="IStoreDialect.DoubleParameter"/>).</summary>
    private static double ReadDouble(DbDataReader reader, int ordinal)
        => reader.GetFieldType(ordinal) == typeof(string)
            ? double.Parse(reader.GetString(ordinal), NumberStyles.Float, CultureInfo.InvariantCulture)
            : reader.GetDouble(ordinal);

    private static double? ReadNullableDouble(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ReadDouble(reader, ordinal);

    /// <summary>
    /// Runs <paramref name="body"/> in one transaction on a fresh (pooled) connection and commits it; on a
    /// transient error the whole transaction runs again, with backoff, for at most <see cref="RetryWindow"/>.
    /// </summary>
    internal T Execute<T>(string operation, bool write, Func<DbConnection, DbTransaction, T> body)
    {
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(5);
        for (var tries = 1; ; tries++)
        {
            try
            {
                using var connection = Dialect.Open();
                using var transaction = Dialect.Begin(connection, write);
                var result = body(connection, transaction);
                transaction.Commit();
                return result;
            }
            catch (Exception e) when (Dialect.IsTransient(e))
            {
                if (clock.Elapsed >= RetryWindow)
                    throw new StudyStoreException(
                        $"Could not {operation}: the {Dialect.Description} kept failing for {clock.Elapsed.TotalSeconds:F0} s ({tries} tries; last error: {e.Message}). " +
                        "Check that the store is reachable and not locked by another program.", e);
                Dialect.AfterTransientError();
                Thread.Sleep(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 1 + (int)delay.TotalMilliseconds)));
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
            }
            catch (DbException e)
            {
                throw Dialect.Describe(e, operation);
            }
        }
    }

    private void Execute(string operation, bool write, Action<DbConnection, DbTransaction> body)
        => Execute(operation, write, (connection, transaction) =>
        {
            body(connection, transaction);
            return 0;
        });

    /// <summary>Releases the store's pooled connections.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the store's pooled connections (once).</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        _disposed = true;
    }

    /// <summary>A command in the transaction; parameters are (name without prefix, value), a null value being SQL NULL.</summary>
    internal static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // The SQL is this class's own text; every value is a parameter.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
