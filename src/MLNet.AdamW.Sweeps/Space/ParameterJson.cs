using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MLNet.AdamW.Sweeps;

/// <summary>
/// Option values as JSON, exactly: doubles in their shortest round-trip form (parsing gives back the same
/// bits), enums by name, arrays as arrays, an object (e.g. a network's options) as its properties with its
/// runtime type in "$type". Compact, in a fixed order, so equal values have equal text.
/// </summary>
internal static class ParameterJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static JsonNode? Encode(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case double d:
                return JsonValue.Create(d);
            case int or long or bool or string:
                return JsonSerializer.SerializeToNode(value, value.GetType(), Options);
            case Enum e:
                return JsonValue.Create(e.ToString());
        }
        var type = value.GetType();
        var node = JsonSerializer.SerializeToNode(value, type, Options);
        if (node is JsonObject properties)
        {
            var typed = new JsonObject { ["$type"] = type.Name };
            foreach (var (name, child) in properties.ToList())
            {
                properties.Remove(name);
                typed[name] = child;
            }
            return typed;
        }
        return node;
    }

    public static string Text(object? value) => Encode(value)?.ToJsonString(Options) ?? "null";

    /// <summary>A copy of a reference-type value (an array, a network's options), so trials never share one object.</summary>
    public static object? Clone(object? value)
    {
        if (value is null || value is string || value.GetType().IsValueType)
            return value;
        var type = value.GetType();
        var json = JsonSerializer.Serialize(value, type, Options);
        return JsonSerializer.Deserialize(json, type, Options);
    }
}
