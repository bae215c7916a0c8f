using System.Diagnostics;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// A swept option: a public settable property of the options type, or of an object one of its properties
/// holds (e.g. "Network.Dropout"), resolved against a fresh options object so that a property of the
/// runtime type (<c>MlpNetworkOptions</c> behind <c>NetworkOptions</c>) is found.
/// </summary>
internal sealed class OptionPath
{
    private readonly string[] _segments;

    private OptionPath(string path, string[] segments, Type valueType)
    {
        Path = path;
        _segments = segments;
        ValueType = valueType;
    }

    /// <summary>The option's name as the user writes it, e.g. "LearningRate" or "Network.Dropout".</summary>
    public string Path { get; }

    /// <summary>The property's type.</summary>
    public Type ValueType { get; }

    /// <summary>The type values are converted to: the property's type, or T for a <c>Nullable&lt;T&gt;</c>.</summary>
    public Type ElementType => Nullable.GetUnderlyingType(ValueType) ?? ValueType;

    public bool IsNumeric => ElementType == typeof(double) || ElementType == typeof(int) || ElementType == typeof(float) || ElementType == typeof(long);

    public bool IsInteger => ElementType == typeof(int) || ElementType == typeof(long);

    public int Depth => _segments.Length;

    public static OptionPath FromExpression<TOptions, TValue>(Expression<Func<TOptions, TValue>> option, Func<object> fresh)
    {
        ArgumentNullException.ThrowIfNull(option);
        var names = new List<string>();
        var node = option.Body;
        while (true)
        {
            while (node is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked or ExpressionType.TypeAs } cast)
                node = cast.Operand;
            if (node is MemberExpression { Member: PropertyInfo property } member)
            {
                names.Insert(0, property.Name);
                node = member.Expression!;
                continue;
            }
            break;
        }
        if (node is not ParameterExpression || names.Count == 0)
            throw new ArgumentException(
                $"The option must be a property of the options, as in o => o.LearningRate or o => ((MlpNetworkOptions)o.Network).Dropout; got {option}.",
                nameof(option));
        return Resolve(string.Join('.', names), fresh, nameof(option));
    }

    public static OptionPath Resolve(string path, Func<object> fresh, string parameterName)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("An option name must not be empty.", parameterName);
        var segments = path.Split('.');
        object? current = fresh();
        var type = current.GetType();
        for (var i = 0; i < segments.Length; i++)
        {
            var property = type.GetProperty(segments[i], BindingFlags.Public | BindingFlags.Instance);
            var last = i == segments.Length - 1;
            if (property is null || property.GetIndexParameters().Length > 0 || (last && property.SetMethod is not { IsPublic: true }) || property.GetMethod is not { IsPublic: true })
            {
                var settable = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
                    .Select(p => p.Name).Order(StringComparer.Ordinal);
                throw new ArgumentException(
                    $"The search space names the option \"{path}\", but {type.Name} has no public settable property \"{segments[i]}\". Its options: {string.Join(", ", settable)}.",
                    parameterName);
            }
            if (last)
                return new OptionPath(path, segments, property.PropertyType);
            current = current is null ? null : property.GetValue(current);
            type = current?.GetType() ?? property.PropertyType;
        }
        throw new UnreachableException();
    }

    /// <summary>Sets the option on <paramref name="root"/>; the objects on the way must exist (a fresh options object has them).</summary>
    public void Set(object root, object? value)
    {
        var target = root;
        for (var i = 0; i < _segments.Length - 1; i++)
        {
            target = Property(target, _segments[i]).GetValue(target)
                ?? throw new ArgumentException($"The option \"{Path}\" cannot be set: \"{string.Join('.', _segments[..(i + 1)])}\" is null.");
        }
        Property(target, _segments[^1]).SetValue(target, value);
    }

    private PropertyInfo Property(object target, string name) =>
        target.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)
        ?? throw new ArgumentException(
            $"The option \"{Path}\" cannot be set: {target.GetType().Name} has no property \"{name}\" (a choice of another type was applied before it).");

    /// <summary>
    /// Converts a value given for this option to the option's type: the type itself, a numeric value that
    /// converts without loss (an int for a double option; an integral double for an int option), or a string
    /// that parses (numbers in the invariant culture, enum names, true/false). Anything else is a wrong type.
    /// </summary>
    public object? Convert(object? value)
    {
        var target = ElementType;
        if (value is null)
        {
            if (!ValueType.IsValueType || Nullable.GetUnderlyingType(ValueType) is not null)
                return null;
            throw WrongType(value);
        }
        if (target.IsInstanceOfType(value))
            return value;
        if (value is string text)
            return Parse(text.Trim(), target) ?? throw WrongType(value);
        if (target == typeof(double) && value is int or long or float or decimal)
            return System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
        if (target == typeof(int) && value is long or double or float or decimal)
        {
            var d = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
            if (d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
                return (int)d;
        }
        throw WrongType(value);
    }

    private static object? Parse(string text, Type target)
    {
        if (target == typeof(double))
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
        if (target == typeof(int))
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null;
        if (target == typeof(bool))
            return bool.TryParse(text, out var b) ? b : null;
        if (target.IsEnum)
            return Enum.GetNames(target).FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) is { } name
                ? Enum.Parse(target, name)
                : null;
        return null;
    }

    private ArgumentException WrongType(object? value)
    {
        var allowed = ElementType.IsEnum ? $" ({string.Join(", ", Enum.GetNames(ElementType))})" : "";
        return new ArgumentException(
            $"The search space gives the option \"{Path}\" the value {Describe(value)} of type {value?.GetType().Name ?? "null"}; the option is a {TypeName(ValueType)}{allowed}.");
    }

    public static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Describe)) + "]",
        _ => value.ToString() ?? value.GetType().Name,
    };

    public static string TypeName(Type type) =>
        Nullable.GetUnderlyingType(type) is { } inner ? TypeName(inner) + "?"
        : type == typeof(double) ? "double" : type == typeof(int) ? "int" : type == typeof(bool) ? "bool" : type == typeof(string) ? "string"
        : type.IsArray ? TypeName(type.GetElementType()!) + "[]" : type.Name;
}
