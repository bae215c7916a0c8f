namespace MLNet.AdamW.Cli.Arguments;

/// <summary>
/// A command line that cannot run as given: the message starts with the flag at fault and says what
/// is allowed. The tool prints it and exits with <see cref="ExitCodes.Usage"/> before any trial runs.
/// </summary>
internal sealed class CliUsageException : Exception
{
    public CliUsageException()
    {
    }

    public CliUsageException(string message)
        : base(message)
    {
    }

    public CliUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CliUsageException(string flag, string message)
        : base($"{flag}: {message}")
    {
        Flag = flag;
    }

    public CliUsageException(string flag, string message, Exception innerException)
        : base($"{flag}: {message}", innerException)
    {
        Flag = flag;
    }

    /// <summary>A library's <see cref="ArgumentException"/> about a flag's value, its message without the parameter-name suffix.</summary>
    public static CliUsageException From(string flag, ArgumentException e) =>
        new(flag, e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal), e);

    /// <summary>The flag at fault, e.g. <c>--label-col</c>.</summary>
    public string? Flag { get; }
}
