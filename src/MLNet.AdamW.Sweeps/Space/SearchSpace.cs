using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// The options a study varies and the values each may take, over a trainer's options type
/// (<see cref="AdamWBinaryTrainer.Options"/>, <see cref="AdamWMulticlassTrainer.Options"/>,
/// <see cref="AdamWRegressionTrainer.Options"/>): grids and choices of values, uniform and log-uniform
/// ranges (double or int). Any public settable option can be swept, by a typed lambda or by name, including
/// a property of an object an option holds ("Network.Dropout") and a choice of whole objects (several
/// <see cref="MlpNetworkOptions"/>).
/// </summary>
/// <remarks>
/// <para>Every other option keeps the value the base options give (<c>new TOptions()</c>, or the factory
/// passed to the constructor: label column, epochs, …). A trial's options are a fresh base with the trial's
/// values applied, shorter option names first (so a choice of <c>Network</c> comes before <c>Network.Dropout</c>);
/// object values are copied, never shared between trials.</para>
/// <para>Each value is checked when it is added: its type (a wrong type, an empty range, a log-uniform range
/// that reaches 0 or below fail at once), and against the trainer's own validation — the value is applied to
/// fresh base options and <see cref="AdamWTrainerOptions.Validate"/> runs — so an out-of-range value fails
/// before any trial runs, with a message naming the option. Combinations are not checked (the trials of a
/// combination the trainer refuses fail and are recorded as failed).</para>
/// <para><see cref="ToJson"/> is canonical (options sorted by name, exact numbers) and
/// <see cref="Fingerprint"/> hashes it with the base options' plain values, so a store can tell whether a
/// reopened study is the same search.</para>
/// </remarks>
/// <typeparam name="TOptions">The trainer's options type.</typeparam>
/// <example>
/// <code>
/// var space = new SearchSpace&lt;AdamWBinaryTrainer.Options&gt;(() => new() { LabelColumnName = "IsMale", NumberOfEpochs = 20 })
///     .Grid(o => o.LearningRate, 1e-3, 3e-3, 1e-2)
///     .LogUniform(o => o.WeightDecay, 1e-4, 1.0)
///     .Choice(o => o.WeightDecayMode, WeightDecayMode.L2, WeightDecayMode.Decoupled, WeightDecayMode.Proximal);
/// </code>
/// </example>
public sealed class SearchSpace<TOptions>
    where TOptions : AdamWTrainerOptions, new()
{
    private readonly Func<TOptions> _baseOptions;
    private readonly SortedDictionary<string, Dimension> _dimensions = new(StringComparer.Ordinal);

    /// <summary>A space over options whose other values are <c>new TOptions()</c>'s.</summary>
    public SearchSpace()
        : this(() => new TOptions())
    {
    }

    /// <summary>A space over options whose other values come from <paramref name="baseOptions"/>, called once per trial.</summary>
    /// <param name="baseOptions">Makes a new options object each call (label column, epochs, network, …).</param>
    public SearchSpace(Func<TOptions> baseOptions)
    {
        ArgumentNullException.ThrowIfNull(baseOptions);
        _baseOptions = baseOptions;
    }

    /// <summary>The swept options' names, sorted.</summary>
    public IReadOnlyList<string> Options => [.. _dimensions.Keys];

    /// <summary>How many grid cells the listed values make (ranges have no cells: null when there is one).</summary>
    public long? GridSize => GridStrategy.GridSize(Dimensions);

    internal IReadOnlyList<Dimension> Dimensions => [.. _dimensions.Values];

    /// <summary>Values to try, in order (a grid strategy visits each; random ones draw among them). For a non-numeric option a grid is a choice.</summary>
    public SearchSpace<TOptions> Grid<TValue>(Expression<Func<TOptions, TValue>> option, params TValue[] values) =>
        Add(new DiscreteDimension(Path(option), "grid", Boxed(values)));

    /// <summary>Values to try, by option name (values of the option's type, or strings that parse to it, e.g. enum names).</summary>
    public SearchSpace<TOptions> Grid(string option, params object?[] values) =>
        Add(new DiscreteDimension(Path(option), "grid", values ?? []));

    /// <summary>Values to choose among: enums, booleans, arrays, objects such as a network's options.</summary>
    public SearchSpace<TOptions> Choice<TValue>(Expression<Func<TOptions, TValue>> option, params TValue[] values) =>
        Add(new DiscreteDimension(Path(option), "choice", Boxed(values)));

    /// <summary>Values to choose among, by option name (values of the option's type, or strings that parse to it, e.g. enum names).</summary>
    public SearchSpace<TOptions> Choice(string option, params object?[] values) =>
        Add(new DiscreteDimension(Path(option), "choice", values ?? []));

    /// <summary>A double drawn uniformly from [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public SearchSpace<TOptions> Uniform(Expression<Func<TOptions, double>> option, double min, double max) =>
        Add(new RangeDimension(Path(option), min, max, log: false));

    /// <summary>An int drawn uniformly from the integers in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public SearchSpace<TOptions> Uniform(Expression<Func<TOptions, int>> option, int min, int max) =>
        Add(new RangeDimension(Path(option), min, max, log: false));

    /// <summary>A double or int option drawn uniformly from [<paramref name="min"/>, <paramref name="max"/>], by name.</summary>
    public SearchSpace<TOptions> Uniform(string option, double min, double max) =>
        Add(new RangeDimension(Path(option), min, max, log: false));

    /// <summary>A double whose logarithm is uniform over [log <paramref name="min"/>, log <paramref name="max"/>]; both &gt; 0.</summary>
    public SearchSpace<TOptions> LogUniform(Expression<Func<TOptions, double>> option, double min, double max) =>
        Add(new RangeDimension(Path(option), min, max, log: true));

    /// <summary>An int drawn log-uniformly from [<paramref name="min"/>, <paramref name="max"/>]; min &gt; 0.</summary>
    public SearchSpace<TOptions> LogUniform(Expression<Func<TOptions, int>> option, int min, int max) =>
        Add(new RangeDimension(Path(option), min, max, log: true));

    /// <summary>A double or int option drawn log-uniformly from [<paramref name="min"/>, <paramref name="max"/>], by name; min &gt; 0.</summary>
    public SearchSpace<TOptions> LogUniform(string option, double min, double max) =>
        Add(new RangeDimension(Path(option), min, max, log: true));

    /// <summary>The space as canonical JSON: the swept options sorted by name, with their kinds and exact values or ranges, and the base options' plain values.</summary>
    public string ToJson() => Canonical().ToJsonString(ParameterJson.Options);

    /// <summary>The SHA-256 of <see cref="ToJson"/>, in hex: equal spaces have equal fingerprints.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson())));

    /// <summary>A fresh base options object with the given values applied (option name → value of the option's type).</summary>
    /// <exception cref="ArgumentException">An option that is not in the space, or a value of the wrong type.</exception>
    public TOptions Apply(IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var name in values.Keys)
        {
            if (!_dimensions.ContainsKey(name))
                throw new ArgumentException($"The option \"{name}\" is not in the search space (it sweeps {string.Join(", ", _dimensions.Keys)}).", nameof(values));
        }
        var options = _baseOptions();
        foreach (var dimension in _dimensions.Values.OrderBy(d => d.Option.Depth))
        {
            if (values.TryGetValue(dimension.Option.Path, out var value))
                dimension.Option.Set(options, ParameterJson.Clone(dimension.Option.Convert(value)));
        }
        return options;
    }

    /// <summary>The options a trial's stored parameters (<see cref="TrialSpec.ParametersJson"/>) describe, on a fresh base.</summary>
    /// <exception cref="FormatException">The JSON does not describe a point of this space.</exception>
    public TOptions FromParametersJson(string parametersJson) => Apply(DecodeParameters(parametersJson));

    /// <summary>The values a trial's stored parameters hold, by option name.</summary>
    public IReadOnlyDictionary<string, object?> DecodeParameters(string parametersJson)
    {
        ArgumentNullException.ThrowIfNull(parametersJson);
        using var document = JsonDocument.Parse(parametersJson);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!_dimensions.TryGetValue(property.Name, out var dimension))
                throw new FormatException($"The stored parameters name the option \"{property.Name}\", which the search space does not sweep.");
            values[property.Name] = dimension.Decode(property.Value);
        }
        var missing = _dimensions.Keys.Where(k => !values.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new FormatException($"The stored parameters lack the option(s) {string.Join(", ", missing)}.");
        return values;
    }

    /// <summary>Values by option name as the JSON a trial stores: canonical order, exact numbers.</summary>
    internal string EncodeParameters(IReadOnlyList<object?> valuesInDimensionOrder)
    {
        var json = new JsonObject();
        var dimensions = Dimensions;
        for (var i = 0; i < dimensions.Count; i++)
            json[dimensions[i].Option.Path] = ParameterJson.Encode(valuesInDimensionOrder[i]);
        return json.ToJsonString(ParameterJson.Options);
    }

    internal TOptions NewBaseOptions() => _baseOptions();

    private JsonObject Canonical()
    {
        var dimensions = new JsonArray([.. _dimensions.Values.Select(d => (JsonNode)d.Describe())]);
        return new JsonObject
        {
            ["options"] = typeof(TOptions).FullName,
            ["dimensions"] = dimensions,
            ["base"] = BaseValues(_baseOptions(), _dimensions.Keys),
        };
    }

    /// <summary>
    /// The base options' plain values (numbers, strings, enums, booleans, arrays, a network's options) that
    /// the space does not sweep: they change what a trial trains, so they belong to the fingerprint.
    /// Callbacks and tokens (Progress, CancellationToken, Observers) are left out.
    /// </summary>
    private static JsonObject BaseValues(object options, IEnumerable<string> swept)
    {
        var skip = new HashSet<string>(swept, StringComparer.Ordinal);
        var json = new JsonObject();
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
                     .OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (skip.Contains(property.Name) || !IsPlain(property.PropertyType))
                continue;
            json[property.Name] = ParameterJson.Encode(property.GetValue(options));
        }
        return json;
    }

    private static bool IsPlain(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
            || (type.IsArray && IsPlain(type.GetElementType()!)) || typeof(NetworkOptions).IsAssignableFrom(type) || type == typeof(ImageShape);
    }

    private SearchSpace<TOptions> Add(Dimension dimension)
    {
        if (_dimensions.ContainsKey(dimension.Option.Path))
            throw new ArgumentException($"The search space already sweeps the option \"{dimension.Option.Path}\"; give all its values in one call.");
        foreach (var value in dimension.ValuesToCheck)
            CheckWithTrainer(dimension.Option, value);
        _dimensions.Add(dimension.Option.Path, dimension);
        return this;
    }

    /// <summary>Applies the value to fresh base options and runs the trainer's validation, so that a value the trainer refuses fails now.</summary>
    private void CheckWithTrainer(OptionPath option, object? value)
    {
        var options = _baseOptions();
        try
        {
            option.Set(options, ParameterJson.Clone(value));
            options.Validate();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or TargetInvocationException)
        {
            var reason = e is TargetInvocationException { InnerException: { } inner } ? inner.Message : e.Message;
            throw new ArgumentOutOfRangeException(option.Path,
                string.Create(CultureInfo.InvariantCulture, $"The search space gives the option \"{option.Path}\" the value {OptionPath.Describe(value)}, which the trainer refuses: {reason}"));
        }
    }

    private OptionPath Path<TValue>(Expression<Func<TOptions, TValue>> option) => OptionPath.FromExpression(option, () => _baseOptions());

    private OptionPath Path(string option) => OptionPath.Resolve(option, () => _baseOptions(), nameof(option));

    private static IEnumerable<object?> Boxed<TValue>(TValue[] values) => (values ?? []).Select(v => (object?)v);
}
