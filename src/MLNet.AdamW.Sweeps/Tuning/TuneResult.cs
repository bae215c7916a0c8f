using Microsoft.ML;

namespace MLNet.AdamW.Sweeps;

/// <summary>What <see cref="Sweep.Tune{TOptions}"/> found: the best options, their pipeline refit on all the data, and the leaderboard.</summary>
/// <typeparam name="TOptions">The trainer's options type.</typeparam>
public sealed class TuneResult<TOptions>
    where TOptions : AdamWTrainerOptions, new()
{
    internal TuneResult(ITransformer model, TOptions bestOptions, StudyResult leaderboard)
    {
        Model = model;
        BestOptions = bestOptions;
        Leaderboard = leaderboard;
    }

    /// <summary>The pipeline (featurization → trainer) with the best options, fitted on all the data.</summary>
    public ITransformer Model { get; }

    /// <summary>The best trial's options (with its training seed).</summary>
    public TOptions BestOptions { get; }

    /// <summary>Every trial, best first.</summary>
    public StudyResult Leaderboard { get; }
}
