using System.Text.Json.Nodes;

namespace MLNet.AdamW.Sweeps;

/// <summary>Each trial's options drawn independently, by a generator seeded by the study seed and the trial number (SplitMix64, the same on every platform).</summary>
public sealed class RandomStrategy : SweepStrategy
{
    internal RandomStrategy()
    {
    }

    private protected override JsonObject Describe() => new() { ["kind"] = "random" };

    internal override object?[] Values(IReadOnlyList<Dimension> dimensions, int seed, int number) => RandomValues(dimensions, seed, number);
}
