namespace MLNet.AdamW.Sweeps;

/// <summary>Opens a study store from a storage string, the command line's <c>--storage</c> syntax.</summary>
public static class StudyStore
{
    /// <summary>
    /// Opens <c>sqlite:&lt;file&gt;</c> (e.g. <c>sqlite:sweep.db</c>, created if missing) as a
    /// <see cref="SqliteStudyStore"/>, or <c>postgres:&lt;Npgsql connection string&gt;</c> (e.g.
    /// <c>postgres:Host=db;Username=sweeps;Password=…;Database=sweeps</c>; <c>postgresql:</c> too) as a
    /// <see cref="PostgresStudyStore"/>.
    /// </summary>
    /// <param name="storage">The storage string.</param>
    /// <exception cref="ArgumentException">The scheme is unknown, or the file or connection string is missing.</exception>
    /// <exception cref="StudyStoreException">The store cannot be used (damaged, newer schema, unreachable).</exception>
    public static IStudyStore Open(string storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var colon = storage.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? "" : storage[..colon].Trim().ToUpperInvariant();
        var target = colon < 0 ? "" : storage[(colon + 1)..].Trim();
        if (scheme is "SQLITE" or "POSTGRES" or "POSTGRESQL" && target.Length == 0)
            throw new ArgumentException(
                $"The storage '{storage}' names no {(scheme == "SQLITE" ? "file" : "connection string")} after '{storage[..colon]}:'.", nameof(storage));
        return scheme switch
        {
            "SQLITE" => new SqliteStudyStore(target),
            "POSTGRES" or "POSTGRESQL" => new PostgresStudyStore(target),
            _ => throw new ArgumentException(
                $"Unknown storage '{storage}': use sqlite:<file> (e.g. sqlite:sweep.db) or postgres:<Npgsql connection string> " +
                "(e.g. postgres:\"Host=localhost;Username=sweeps;Database=sweeps\").", nameof(storage)),
        };
    }
}
