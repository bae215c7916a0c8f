namespace MLNet.AdamW.Cli.Arguments;

/// <summary>What <c>--strategy</c> names.</summary>
internal enum StrategyKind
{
    /// <summary>Every cell of the listed values, in a seeded order.</summary>
    Grid,

    /// <summary>Seeded random draws from the lists and ranges.</summary>
    Random,

    /// <summary>Asynchronous successive halving on epochs over random draws: trials behind at a rung stop early.</summary>
    Asha,
}
