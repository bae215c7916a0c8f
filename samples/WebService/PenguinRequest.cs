using System.Globalization;
using System.Text;
using System.Text.Json;

namespace WebService;

/// <summary>
/// Reads POST /predict bodies: one penguin as a JSON object, or an array of them. Every field is
/// checked, so that a bad request gets a 400 naming the field (<c>bodyMass</c>, <c>[2].island</c>)
/// and never reaches the model.
/// </summary>
internal static class PenguinRequest
{
    /// <summary>The fields, as clients spell them (matched without regard to case).</summary>
    private static readonly (string Name, Action<PenguinFeatures, float> Set)[] NumberFields =
    [
        ("beakLength", (p, v) => p.BeakLength = v),
        ("beakDepth", (p, v) => p.BeakDepth = v),
        ("flipperLength", (p, v) => p.FlipperLength = v),
        ("bodyMass", (p, v) => p.BodyMass = v),
    ];

    private const string IslandField = "island";

    /// <summary>The penguins of the body, or the errors by field (then the list is empty).</summary>
    /// <param name="body">The request body.</param>
    /// <param name="maxBatchSize">The most penguins an array may hold.</param>
    /// <param name="isBatch">Whether the body was an array.</param>
    public static (List<PenguinFeatures> Penguins, Dictionary<string, string[]> Errors) Parse(byte[] body, int maxBatchSize, out bool isBatch)
    {
        var penguins = new List<PenguinFeatures>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        isBatch = false;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            var (field, text) = WhereInvalid(body, e);
            errors[field] = [text];
            return (penguins, errors);
        }
        using (document)
        {
            var root = document.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    if (Read(root, "", errors) is { } penguin)
                        penguins.Add(penguin);
                    break;
                case JsonValueKind.Array:
                    isBatch = true;
                    var count = root.GetArrayLength();
                    if (count > maxBatchSize)
                    {
                        errors["body"] = [string.Create(CultureInfo.InvariantCulture, $"A batch holds at most {maxBatchSize:N0} penguins; this one has {count:N0}. Split it.")];
                        break;
                    }
                    var index = 0;
                    foreach (var item in root.EnumerateArray())
                    {
                        var prefix = string.Create(CultureInfo.InvariantCulture, $"[{index++}].");
                        if (item.ValueKind != JsonValueKind.Object)
                            errors[prefix.TrimEnd('.')] = [$"must be a JSON object (one penguin); got {Describe(item.ValueKind)}."];
                        else if (Read(item, prefix, errors) is { } p)
                            penguins.Add(p);
                    }
                    break;
                default:
                    errors["body"] = [$"must be a JSON object (one penguin) or an array of them; got {Describe(root.ValueKind)}."];
                    break;
            }
        }
        if (errors.Count > 0)
            penguins.Clear();
        return (penguins, errors);
    }

    private static PenguinFeatures? Read(JsonElement item, string prefix, Dictionary<string, string[]> errors)
    {
        var before = errors.Count;
        var penguin = new PenguinFeatures();
        if (!TryGet(item, IslandField, out var island) || island.ValueKind == JsonValueKind.Null)
            errors[prefix + IslandField] = ["is required: the island's name (Biscoe, Dream or Torgersen)."];
        else if (island.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(island.GetString()))
            errors[prefix + IslandField] = [$"must be a non-empty string; got {Describe(island.ValueKind)}."];
        else
            penguin.Island = island.GetString()!;

        foreach (var (name, set) in NumberFields)
        {
            if (!TryGet(item, name, out var value) || value.ValueKind == JsonValueKind.Null)
                errors[prefix + name] = ["is required: a finite number."];
            else if (value.ValueKind != JsonValueKind.Number)
                errors[prefix + name] = [$"must be a finite number; got {Describe(value.ValueKind)}{(value.ValueKind == JsonValueKind.String ? $" \"{value.GetString()}\"" : "")}."];
            else if (!value.TryGetDouble(out var number) || !float.IsFinite((float)number))
                errors[prefix + name] = [$"must be a finite number within ±3.4e38; got {value.GetRawText()}."];
            else
                set(penguin, (float)number);
        }
        return errors.Count == before ? penguin : null;
    }

    private static bool TryGet(JsonElement item, string name, out JsonElement value)
    {
        foreach (var property in item.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a Boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>
    /// Where a body stops being JSON, as the field being read: serializers that write NaN or
    /// Infinity as bare literals (Python's json.dumps does) produce such bodies.
    /// </summary>
    private static (string Field, string Text) WhereInvalid(byte[] body, JsonException error)
    {
        var path = new List<(bool IsArray, int Index)>();
        string? property = null;
        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartArray or JsonTokenType.StartObject:
                        Count(path);
                        path.Add((reader.TokenType == JsonTokenType.StartArray, -1));
                        property = null;
                        break;
                    case JsonTokenType.EndArray or JsonTokenType.EndObject:
                        path.RemoveAt(path.Count - 1);
                        property = null;
                        break;
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        break;
                    default:
                        Count(path);
                        property = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // The reader stopped where the document did.
        }
        var field = new StringBuilder();
        for (var i = 0; i < path.Count; i++)
        {
            // Inside an array, outside any property, the element that failed was not counted yet.
            var (isArray, index) = path[i];
            if (isArray)
                field.Append(CultureInfo.InvariantCulture, $"[{index + (i == path.Count - 1 && property is null ? 1 : 0)}]");
        }
        if (property is not null)
            field.Append(field.Length > 0 ? "." : "").Append(property);
        var name = field.Length > 0 ? field.ToString() : "body";
        var text = $"is not valid JSON ({error.Message}). NaN and Infinity are not JSON numbers: send finite numbers.";
        return (name, text);
    }

    /// <summary>A value or container inside an array moves that array's index on.</summary>
    private static void Count(List<(bool IsArray, int Index)> path)
    {
        if (path.Count > 0 && path[^1].IsArray)
            path[^1] = (true, path[^1].Index + 1);
    }
}
