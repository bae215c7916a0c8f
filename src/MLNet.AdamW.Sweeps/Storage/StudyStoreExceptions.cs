namespace MLNet.AdamW.Sweeps;

/// <summary>An existing study differs from the one asked for (search space, data, metric, strategy or seed).</summary>
public sealed class StudyMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public StudyMismatchException()
    {
    }

    /// <summary>Creates the exception with a message naming what differs.</summary>
    public StudyMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public StudyMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The store cannot be used: written by a newer schema version, corrupt, or unreachable. The message
/// says which, and what to do.
/// </summary>
public sealed class StudyStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StudyStoreException()
    {
    }

    /// <summary>Creates the exception with a message saying what is wrong and what to do.</summary>
    public StudyStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public StudyStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
