using System.Diagnostics;
using Npgsql;

namespace MLNet.AdamW.Sweeps.Storage.Tests;

/// <summary>
/// The PostgreSQL server the tests use: an Npgsql connection string in <see cref="ConnectionVariable"/>,
/// and a shell command restarting the server in <see cref="RestartVariable"/> (.ci/run sets both).
/// Each test gets a schema of its own in that database, dropped at its end.
/// </summary>
internal static class PostgresServer
{
    public const string ConnectionVariable = "MLNET_ADAMW_TEST_POSTGRES";
    public const string RestartVariable = "MLNET_ADAMW_TEST_POSTGRES_RESTART";

    public static string? SkipReason(bool needsRestart)
    {
        var missing = Environment.GetEnvironmentVariable(ConnectionVariable) is not { Length: > 0 } ? ConnectionVariable
            : needsRestart && Environment.GetEnvironmentVariable(RestartVariable) is not { Length: > 0 } ? RestartVariable
            : null;
        if (missing is null || Environment.GetEnvironmentVariable("CI") == "true")
            return null;
        return $"No PostgreSQL server for the tests: {missing} is not set (.ci/run starts a server and sets it; CI=true makes this a failure).";
    }

    public static string ConnectionString => Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{ConnectionVariable} is not set: CI must run the PostgreSQL tests (.ci/run starts a server and sets it).");

    /// <summary>Creates a fresh schema and returns a connection string whose search path is it.</summary>
    private static string CreateSchema(out string schema)
    {
        schema = "test_" + Guid.NewGuid().ToString("N");
        Run($"CREATE SCHEMA {schema}");
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ToString();
    }

    /// <summary>A schema of its own for one test (none when the test is skipped), dropped at its end.</summary>
    public sealed class Schema : IDisposable
    {
        private readonly string? _name;

        public Schema(bool needsRestart)
        {
            if (SkipReason(needsRestart) is null)
                ConnectionString = CreateSchema(out _name);
        }

        /// <summary>The server's connection string with this schema as its search path.</summary>
        public string ConnectionString { get; } = "";

        public void Dispose()
        {
            if (_name is null)
                return;
            NpgsqlConnection.ClearAllPools();
            Run($"DROP SCHEMA IF EXISTS {_name} CASCADE");
        }
    }

    public static void Run(string sql, string? connectionString = null)
    {
        using var connection = new NpgsqlConnection(connectionString ?? ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Restarts the server with the command of <see cref="RestartVariable"/>.</summary>
    public static void Restart()
    {
        var command = Environment.GetEnvironmentVariable(RestartVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{RestartVariable} is not set: CI must run the server-restart test (.ci/run sets it).");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Restarting the PostgreSQL server ({command}) took over 2 minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"Restarting the PostgreSQL server ({command}) failed ({process.ExitCode}): {output.Result}{error.Result}");
    }
}
