using System.Text.Json.Nodes;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// How a study picks each trial's options from the search space, and whether it stops trials early:
/// <see cref="Grid"/>, <see cref="Random"/> or <see cref="Asha"/> (asynchronous successive halving).
/// A trial's options are a function of the study seed and the trial number only.
/// </summary>
public abstract class SweepStrategy
{
    private protected SweepStrategy()
    {
    }

    /// <summary>Every cell of the grid the listed values make, each once, in an order shuffled by the study seed (so a study stopped early has still sampled the whole grid evenly).</summary>
    public static GridStrategy Grid() => new();

    /// <summary>Each option drawn independently (uniformly from a grid or a choice, from its range for a range) by a generator seeded by the study seed and the trial number.</summary>
    public static RandomStrategy Random() => new();

    /// <summary>
    /// Asynchronous successive halving with epochs as the resource: trials drawn as <see cref="Random"/> draws
    /// them (or the grid's cells, with <paramref name="overGrid"/>), each stopped at the first rung
    /// (<paramref name="minEpochs"/>·η^k epochs) where its validation loss is not among the best 1/η of the
    /// losses reported at that rung so far.
    /// </summary>
    /// <param name="minEpochs">The first rung, ≥ 1.</param>
    /// <param name="reductionFactor">η, ≥ 2: the fraction 1/η of trials that continue at each rung.</param>
    /// <param name="maxEpochs">The epochs of a trial that is never stopped, ≥ <paramref name="minEpochs"/>; it sets every trial's NumberOfEpochs (and so its schedule's length).</param>
    /// <param name="overGrid">Visit the grid's cells in the grid strategy's order instead of drawing at random.</param>
    public static AshaStrategy Asha(int minEpochs, int reductionFactor, int maxEpochs, bool overGrid = false) =>
        new(minEpochs, reductionFactor, maxEpochs, overGrid);

    /// <summary>The strategy and its parameters as JSON, as a study stores it.</summary>
    public string ToJson() => Describe().ToJsonString(ParameterJson.Options);

    /// <inheritdoc />
    public override string ToString() => ToJson();

    private protected abstract JsonObject Describe();

    /// <summary>How many trials a study of <paramref name="requested"/> trials really has (a grid has no more than its cells).</summary>
    internal virtual int TrialCount(int requested, long? gridSize) => requested;

    /// <summary>Trial <paramref name="number"/>'s values, one per dimension in the space's (sorted) order.</summary>
    internal abstract object?[] Values(IReadOnlyList<Dimension> dimensions, int seed, int number);

    /// <summary>The epochs every trial is set to train, overriding the options' NumberOfEpochs; null keeps them.</summary>
    internal virtual int? Epochs => null;

    private protected static object?[] RandomValues(IReadOnlyList<Dimension> dimensions, int seed, int number)
    {
        var random = SeedSequence.For(seed, number, 0xD1CE);
        var values = new object?[dimensions.Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = dimensions[i].Sample(ref random);
        return values;
    }
}
