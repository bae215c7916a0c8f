using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNet.AdamW.Sweeps;

/// <summary>One swept option and the values it may take.</summary>
internal abstract class Dimension(OptionPath option)
{
    public OptionPath Option { get; } = option;

    /// <summary>"grid", "choice", "uniform" or "loguniform".</summary>
    public abstract string Kind { get; }

    /// <summary>The values of a grid or a choice, in the order given; null for a range.</summary>
    public virtual IReadOnlyList<object?>? Values => null;

    /// <summary>Whether a plot should draw this option on a log axis.</summary>
    public abstract bool IsLogScale { get; }

    /// <summary>The values the trainer's validation is asked about before any trial: every listed value, or a range's ends.</summary>
    public abstract IEnumerable<object?> ValuesToCheck { get; }

    public abstract object? Sample(ref SeedSequence random);

    public abstract JsonObject Describe();

    /// <summary>The value a trial's stored JSON holds for this option.</summary>
    public abstract object? Decode(JsonElement stored);
}

internal sealed class DiscreteDimension : Dimension
{
    private readonly object?[] _values;
    private readonly string[] _texts;

    public DiscreteDimension(OptionPath option, string kind, IEnumerable<object?> values)
        : base(option)
    {
        Kind = kind;
        _values = [.. values.Select(option.Convert)];
        if (_values.Length == 0)
            throw new ArgumentException($"The search space gives the option \"{option.Path}\" an empty {kind}: list at least one value.");
        _texts = [.. _values.Select(ParameterJson.Text)];
        var duplicate = _texts.GroupBy(t => t, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"The search space lists the value {duplicate.Key} of the option \"{option.Path}\" twice.");
        if (kind == "grid" && option.IsNumeric && _values.Any(v => v is null || !double.IsFinite(System.Convert.ToDouble(v, CultureInfo.InvariantCulture))))
            throw new ArgumentException($"The grid of the option \"{option.Path}\" holds a value that is not a finite number.");
    }

    public override string Kind { get; }

    public override IReadOnlyList<object?> Values => _values;

    /// <summary>A grid of positive numbers spanning at least a factor of 10 is drawn on a log axis.</summary>
    public override bool IsLogScale
    {
        get
        {
            if (Kind != "grid" || !Option.IsNumeric)
                return false;
            var numbers = _values.Select(v => System.Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray();
            return numbers.All(x => x > 0) && numbers.Max() / numbers.Min() >= 10;
        }
    }

    public override IEnumerable<object?> ValuesToCheck => _values;

    public override object? Sample(ref SeedSequence random) => _values[random.NextInt(_values.Length)];

    public override JsonObject Describe() => new()
    {
        ["option"] = Option.Path,
        ["kind"] = Kind,
        ["type"] = OptionPath.TypeName(Option.ValueType),
        ["values"] = new JsonArray([.. _values.Select(ParameterJson.Encode)]),
    };

    public override object? Decode(JsonElement stored)
    {
        var text = stored.GetRawText();
        var index = Array.IndexOf(_texts, text);
        if (index < 0)
            throw new FormatException($"The stored value {text} of the option \"{Option.Path}\" is not one of its {Kind} values {string.Join(", ", _texts)}.");
        return _values[index];
    }
}

internal sealed class RangeDimension : Dimension
{
    private readonly double _min;
    private readonly double _max;
    private readonly bool _log;

    public RangeDimension(OptionPath option, double min, double max, bool log)
        : base(option)
    {
        _min = min;
        _max = max;
        _log = log;
        var kind = Kind;
        if (!option.IsNumeric)
            throw new ArgumentException(
                $"A {kind} range is for numeric options; \"{option.Path}\" is a {OptionPath.TypeName(option.ValueType)}: use Choice.");
        if (!double.IsFinite(min) || !double.IsFinite(max))
            throw new ArgumentOutOfRangeException(option.Path, $"The {kind} range of the option \"{option.Path}\" must have finite ends; it was [{Fmt(min)}, {Fmt(max)}].");
        if (!(min < max))
            throw new ArgumentOutOfRangeException(option.Path,
                $"The {kind} range of the option \"{option.Path}\" is empty: [{Fmt(min)}, {Fmt(max)}] needs min < max (for a single value use Grid or Choice).");
        if (log && min <= 0)
            throw new ArgumentOutOfRangeException(option.Path,
                $"The log-uniform range of the option \"{option.Path}\" must be positive: [{Fmt(min)}, {Fmt(max)}] has an end ≤ 0 (use Uniform, or a grid that lists 0).");
        if (option.IsInteger && (min != Math.Floor(min) || max != Math.Floor(max)))
            throw new ArgumentException($"The option \"{option.Path}\" is an int; its range [{Fmt(min)}, {Fmt(max)}] must have integral ends.");
    }

    public override string Kind => _log ? "loguniform" : "uniform";

    public override bool IsLogScale => _log;

    public override IEnumerable<object?> ValuesToCheck => [ToValue(_min), ToValue(_max)];

    public override object? Sample(ref SeedSequence random)
    {
        var u = random.NextDouble();
        if (Option.IsInteger)
        {
            // Every integer in [min, max] equally likely (uniform), or ∝ log((k+1)/k) (log-uniform over [min, max+1)).
            var x = _log ? Math.Exp(Math.Log(_min) + u * (Math.Log(_max + 1) - Math.Log(_min))) : _min + u * (_max - _min + 1);
            return ToValue(Math.Clamp(Math.Floor(x), _min, _max));
        }
        var value = _log ? Math.Exp(Math.Log(_min) + u * (Math.Log(_max) - Math.Log(_min))) : _min + u * (_max - _min);
        return ToValue(Math.Clamp(value, _min, _max));
    }

    public override JsonObject Describe() => new()
    {
        ["option"] = Option.Path,
        ["kind"] = Kind,
        ["type"] = OptionPath.TypeName(Option.ValueType),
        ["min"] = ParameterJson.Encode(ToValue(_min)),
        ["max"] = ParameterJson.Encode(ToValue(_max)),
    };

    public override object? Decode(JsonElement stored)
    {
        if (Option.IsInteger)
            return stored.GetInt32();
        return stored.GetDouble();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "Boxes an int for an int option and a double otherwise.")]
    private object ToValue(double x)
    {
        if (Option.IsInteger)
            return (int)x;
        return x;
    }

    private static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
