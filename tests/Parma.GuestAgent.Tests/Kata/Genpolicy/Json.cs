using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.GuestAgent.Tests.Kata.Genpolicy;

/// <summary>Null-tolerant reads of YAML-as-JSON trees, with scalars as the text serde_yaml would give a String field.</summary>
internal static class Json
{
    public static JsonObject? Obj(this JsonNode? node, string name) => node is JsonObject o ? o[name] as JsonObject : null;

    public static IEnumerable<JsonObject> Objects(this JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonArray a ? a.OfType<JsonObject>() : [];

    /// <summary>A scalar as text (a YAML <c>1</c> read into a String field is "1"); null when absent or not a scalar.</summary>
    public static string? Text(this JsonNode? node) => node is JsonValue v
        ? v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        }
        : null;

    public static string? Str(this JsonNode? node, string name) => node is JsonObject o ? o[name].Text() : null;

    public static long? Long(this JsonNode? node, string name) =>
        node.Str(name) is { } text && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    public static bool? Bool(this JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    /// <summary>A list of strings, or null when the key is absent (genpolicy tells "no command" from "an empty command").</summary>
    public static List<string>? Strings(this JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonArray a ? a.Select(n => n.Text() ?? string.Empty).ToList() : null;

    public static SortedDictionary<string, string>? StringMap(this JsonNode? node, string name)
    {
        if (node.Obj(name) is not { } map)
        {
            return null;
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            result[key] = value.Text() ?? string.Empty;
        }

        return result;
    }

    public static JsonArray Array(IEnumerable<string> items) => new(items.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());

    public static JsonObject Object(IEnumerable<KeyValuePair<string, string>> pairs) =>
        new(pairs.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
}
