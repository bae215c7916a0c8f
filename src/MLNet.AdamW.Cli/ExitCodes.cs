namespace MLNet.AdamW.Cli;

/// <summary>What the process returns.</summary>
internal static class ExitCodes
{
    /// <summary>Every trial of the study is done and the outputs are written.</summary>
    public const int Success = 0;

    /// <summary>The run failed: the store, the data file or the outputs (the message says which).</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments: the message names the flag. Nothing ran.</summary>
    public const int Usage = 2;
}
