using System.Globalization;
using System.Reflection;

namespace MLNet.AdamW.Cli.Arguments;

/// <summary>How one <c>--set</c> varies its option.</summary>
internal enum ParameterKind
{
    /// <summary><c>Name=a,b,c</c>: the listed values (grid cells, or choices drawn by the random strategies); one value fixes the option.</summary>
    Values,

    /// <summary><c>Name=uniform:low:high</c>.</summary>
    Uniform,

    /// <summary><c>Name=loguniform:low:high</c>: uniform in the logarithm (both bounds positive).</summary>
    LogUniform,
}

/// <summary>
/// One <c>--set Name=…</c>: a property of the task's trainer options and the values or range it takes.
/// Values are converted to the property's type here; whether they are in the option's range is the
/// search space's check (it runs the trainer's own validation before any trial).
/// </summary>
/// <param name="Property">The options property.</param>
/// <param name="Kind">Values or a range.</param>
/// <param name="Values">For <see cref="ParameterKind.Values"/>: the values, typed as the property.</param>
/// <param name="Low">For a range: the lower bound.</param>
/// <param name="High">For a range: the upper bound.</param>
internal sealed record ParameterSetting(PropertyInfo Property, ParameterKind Kind, IReadOnlyList<object> Values, double Low, double High)
{
    private const string Flag = "--set";

    /// <summary>Options the command line sets itself (columns, seeds, threads, checkpoints, progress).</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "LabelColumnName", "FeatureColumnName", "ExampleWeightColumnName", "Seed", "NumberOfThreads",
        "CheckpointDirectory", "CheckpointInterval", "ResumeFromCheckpoint", "Progress", "CancellationToken",
    };

    /// <summary>The option's name, as the trainer's options spell it.</summary>
    public string Name => Property.Name;

    /// <summary>Whether the property holds whole numbers (a range then draws integers).</summary>
    public bool IsInteger => Underlying(Property.PropertyType) == typeof(int);

    /// <summary>Whether the property holds numbers (a grid orders them on an axis; other values are choices).</summary>
    public bool IsNumeric => Underlying(Property.PropertyType) is var t && (t == typeof(double) || t == typeof(float) || t == typeof(int));

    /// <summary>Parses <c>Name=spec</c> against the options type; a <see cref="CliUsageException"/> naming <c>--set</c> and the option otherwise.</summary>
    public static ParameterSetting Parse(string text, Type optionsType)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == text.Length - 1)
            throw new CliUsageException(Flag, $"'{text}' is not Name=values; e.g. --set LearningRate=1e-3,3e-3,1e-2 or --set WeightDecay=loguniform:1e-5:1e-1.");
        var name = text[..equals].Trim();
        var spec = text[(equals + 1)..].Trim();
        var property = FindProperty(name, optionsType);
        var type = Underlying(property.PropertyType);

        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var prefix = colon > 0 ? spec[..colon].ToLowerInvariant() : null;
        if (prefix is "uniform" or "loguniform")
        {
            if (type != typeof(double) && type != typeof(float) && type != typeof(int))
                throw new CliUsageException(Flag, $"{name} is {TypeName(type)}; a range ({prefix}:low:high) needs a numeric option. List its values instead: {name}=a,b.");
            var bounds = spec[(colon + 1)..].Split(':');
            if (bounds.Length != 2)
                throw new CliUsageException(Flag, $"{name}={spec}: a range is {prefix}:low:high, two numbers.");
            var low = ParseNumber(name, bounds[0]);
            var high = ParseNumber(name, bounds[1]);
            if (!(low < high))
                throw new CliUsageException(Flag, $"{name}={spec}: the range is empty; low ({Format(low)}) must be below high ({Format(high)}).");
            if (prefix == "loguniform" && low <= 0)
                throw new CliUsageException(Flag, $"{name}={spec}: a log-uniform range needs positive bounds; low is {Format(low)}.");
            return new ParameterSetting(property, prefix == "uniform" ? ParameterKind.Uniform : ParameterKind.LogUniform, [], low, high);
        }

        var values = spec.Split(',', StringSplitOptions.TrimEntries);
        if (values.Any(v => v.Length == 0))
            throw new CliUsageException(Flag, $"{name}={spec}: an empty value in the list.");
        var typed = values.Select(v => ConvertValue(name, v, type)).ToArray();
        if (typed.Distinct().Count() != typed.Length)
            throw new CliUsageException(Flag, $"{name}={spec}: a value is listed twice.");
        return new ParameterSetting(property, ParameterKind.Values, typed, double.NaN, double.NaN);
    }

    /// <summary>The settings of every <c>--set</c>; an option set twice is an error.</summary>
    public static IReadOnlyList<ParameterSetting> ParseAll(IEnumerable<string> texts, Type optionsType)
    {
        var settings = texts.Select(t => Parse(t, optionsType)).ToList();
        var twice = settings.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new CliUsageException(Flag, $"{twice.Key} is set twice; give each option one --set.");
        return settings;
    }

    private static PropertyInfo FindProperty(string name, Type optionsType)
    {
        var settable = optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic && !Reserved.Contains(p.Name) && IsSupported(p.PropertyType))
            .ToArray();
        var property = settable.FirstOrDefault(p => p.Name == name)
            ?? settable.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        if (property is not null)
            return property;
        var why = Reserved.Contains(name) ? $"{name} is set by the command line itself" : $"{optionsType.DeclaringType?.Name ?? optionsType.Name}.Options has no option {name} that the command line can set";
        throw new CliUsageException(Flag, $"{why}; options: {string.Join(", ", settable.Select(p => p.Name).Order(StringComparer.Ordinal))}.");
    }

    private static bool IsSupported(Type type)
    {
        var t = Underlying(type);
        return t == typeof(double) || t == typeof(float) || t == typeof(int) || t == typeof(bool) || t.IsEnum;
    }

    private static Type Underlying(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    private static object ConvertValue(string name, string text, Type type)
    {
        if (type.IsEnum)
        {
            if (Enum.TryParse(type, text, ignoreCase: true, out var value) && Enum.IsDefined(type, value!) && !int.TryParse(text, out _))
                return value!;
            throw new CliUsageException(Flag, $"{name}: '{text}' is not a {type.Name}; choose from {string.Join(", ", Enum.GetNames(type))}.");
        }
        if (type == typeof(bool))
        {
            return bool.TryParse(text, out var b) ? b
                : throw new CliUsageException(Flag, $"{name}: '{text}' is not true or false.");
        }
        if (type == typeof(int))
        {
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
                : throw new CliUsageException(Flag, $"{name}: '{text}' is not a whole number.");
        }
        var d = ParseNumber(name, text);
        return type == typeof(float) ? (object)(float)d : d;
    }

    private static double ParseNumber(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d
            : throw new CliUsageException(Flag, $"{name}: '{text}' is not a number.");

    private static string TypeName(Type type) => type.IsEnum ? $"a choice ({type.Name})" : type == typeof(bool) ? "true or false" : type.Name;

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
