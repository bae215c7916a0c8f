using System.Globalization;

namespace MLNet.AdamW.Internal;

/// <summary>
/// Option validation that names the option and its allowed range, so that a message alone
/// tells a user what to change.
/// </summary>
internal static class Check
{
    public static void Positive(double value, string name)
    {
        if (!(double.IsFinite(value) && value > 0))
            throw OutOfRange(name, value, "a finite number greater than 0");
    }

    public static void NonNegative(double value, string name)
    {
        if (!(double.IsFinite(value) && value >= 0))
            throw OutOfRange(name, value, "a finite number greater than or equal to 0");
    }

    /// <summary>Requires lower ≤ value &lt; upper.</summary>
    public static void InHalfOpen(double value, double lower, double upper, string name)
    {
        if (!(double.IsFinite(value) && value >= lower && value < upper))
            throw OutOfRange(name, value, string.Create(CultureInfo.InvariantCulture, $"in [{lower}, {upper})"));
    }

    /// <summary>Requires lower ≤ value ≤ upper.</summary>
    public static void InClosed(double value, double lower, double upper, string name)
    {
        if (!(double.IsFinite(value) && value >= lower && value <= upper))
            throw OutOfRange(name, value, string.Create(CultureInfo.InvariantCulture, $"in [{lower}, {upper}]"));
    }

    public static void Defined<TEnum>(TEnum value, string name) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new ArgumentOutOfRangeException(name, value,
                $"{name} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
    }

    public static ArgumentOutOfRangeException OutOfRange(string name, double value, string range) =>
        new(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be {range}; it was {value}."));
}
