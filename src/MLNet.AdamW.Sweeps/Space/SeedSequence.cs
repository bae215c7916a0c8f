namespace MLNet.AdamW.Sweeps;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): the sweep's only source of randomness. Written out rather than
/// taken from <see cref="System.Random"/> so that a study seed gives the same trials on every .NET version
/// and platform; a trial's generator depends on the study seed and the trial number only.
/// </summary>
internal struct SeedSequence
{
    private ulong _state;

    public SeedSequence(ulong seed) => _state = seed;

    /// <summary>The generator of one trial (or of one purpose, e.g. the grid's visiting order: number -1).</summary>
    public static SeedSequence For(int studySeed, int number, ulong purpose) =>
        new(Mix(Mix((ulong)(uint)studySeed ^ purpose) + (ulong)(uint)number));

    /// <summary>A trial's training seed: non-negative, a function of the study seed and the trial number.</summary>
    public static int TrainingSeed(int studySeed, int number) =>
        (int)(For(studySeed, number, 0x5EED).NextUInt64() >> 33);

    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        var z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1), 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, count), without modulo bias worth speaking of for counts far below 2⁶⁴.</summary>
    public int NextInt(int count) => (int)(NextUInt64() % (ulong)count);
}
