using System.Text.Json.Nodes;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// Every cell of the grid once. The visiting order is a permutation of the cells drawn from the study seed
/// (Fisher–Yates), so trial n is always the same cell, and the first trials of a long grid already cover
/// it evenly. A study asked for more trials than cells runs each cell once.
/// </summary>
public sealed class GridStrategy : SweepStrategy
{
    /// <summary>Grids larger than this are refused (the visiting order is held in memory).</summary>
    public const int MaxCells = 10_000_000;

    private readonly Lock _gate = new();
    private (int Seed, int[] Order)? _order;

    internal GridStrategy()
    {
    }

    private protected override JsonObject Describe() => new() { ["kind"] = "grid" };

    internal override int TrialCount(int requested, long? gridSize) => (int)Math.Min(requested, CheckedSize(gridSize));

    internal override object?[] Values(IReadOnlyList<Dimension> dimensions, int seed, int number) => CellValues(dimensions, seed, number);

    /// <summary>The values of the cell trial <paramref name="number"/> visits.</summary>
    internal object?[] CellValues(IReadOnlyList<Dimension> dimensions, int seed, int number)
    {
        var size = CheckedSize(GridSize(dimensions));
        if (number < 0 || number >= size)
            throw new ArgumentOutOfRangeException(nameof(number), number, $"The grid has {size} cells.");
        var cell = Order(seed, (int)size)[number];
        var values = new object?[dimensions.Count];
        for (var i = dimensions.Count - 1; i >= 0; i--)
        {
            var choices = dimensions[i].Values!;
            values[i] = choices[cell % choices.Count];
            cell /= choices.Count;
        }
        return values;
    }

    internal static long? GridSize(IReadOnlyList<Dimension> dimensions)
    {
        long size = 1;
        foreach (var dimension in dimensions)
        {
            if (dimension.Values is not { } values)
                return null;
            size = checked(size * values.Count);
        }
        return size;
    }

    private static long CheckedSize(long? size)
    {
        if (size is null)
            throw new ArgumentException("A grid needs listed values for every option (Grid or Choice); the search space has a uniform or log-uniform range. Use the random or ASHA strategy, or list the values.");
        if (size > MaxCells)
            throw new ArgumentException($"The grid has {size:N0} cells, more than {MaxCells:N0}; use the random or ASHA strategy.");
        return size.Value;
    }

    private int[] Order(int seed, int size)
    {
        lock (_gate)
        {
            if (_order is { } cached && cached.Seed == seed && cached.Order.Length == size)
                return cached.Order;
            var order = new int[size];
            for (var i = 0; i < size; i++)
                order[i] = i;
            var random = SeedSequence.For(seed, -1, 0x6121D);
            for (var i = size - 1; i > 0; i--)
            {
                var j = random.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            _order = (seed, order);
            return order;
        }
    }
}
