using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Policy.Input;

/// <summary>Small, null-tolerant readers over manifest JSON trees.</summary>
internal static class JsonNodeExtensions
{
    public static JsonObject? Obj(this JsonNode? node, string name) => node is JsonObject o ? o[name] as JsonObject : null;

    public static JsonArray Arr(this JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonArray a ? a : [];

    public static IEnumerable<JsonObject> Objects(this JsonNode? node, string name) => node.Arr(name).OfType<JsonObject>();

    public static string? Str(this JsonNode? node, string name)
    {
        if (node is not JsonObject o || o[name] is not JsonValue v)
        {
            return null;
        }

        return v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    public static long? Int(this JsonNode? node, string name)
    {
        if (node is not JsonObject o || o[name] is not JsonValue v)
        {
            return null;
        }

        if (v.GetValueKind() == JsonValueKind.Number && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        return null;
    }

    public static bool? Bool(this JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? v.GetValue<bool>()
            : null;

    public static IReadOnlyList<string> Strings(this JsonNode? node, string name) =>
        node.Arr(name).Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : n?.ToJsonString() ?? string.Empty).ToList();

    public static IReadOnlyDictionary<string, string> StringMap(this JsonNode? node, string name)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (node.Obj(name) is { } map)
        {
            foreach (var (key, value) in map)
            {
                result[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? string.Empty;
            }
        }

        return result;
    }
}
