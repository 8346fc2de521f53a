using System.Text.Json.Nodes;

namespace Parma.Groups.Pods;

/// <summary>
/// Builds RFC 6902 operations that bring a JSON object to a wanted state, emitting only what differs
/// (so an object already in that state yields no operations).
/// </summary>
public sealed class JsonPatchBuilder
{
    private readonly JsonArray _ops = [];

    public JsonArray Operations => _ops;

    /// <summary>RFC 6901 escaping of one path segment.</summary>
    public static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>Sets <paramref name="value"/> at <paramref name="parent"/>[<paramref name="key"/>] unless it is already equal.</summary>
    public void Set(JsonObject parent, string parentPath, string key, JsonNode value)
    {
        if (parent.TryGetPropertyValue(key, out var existing) && Same(existing, value))
        {
            return;
        }

        _ops.Add(new JsonObject
        {
            ["op"] = parent.ContainsKey(key) ? "replace" : "add",
            ["path"] = $"{parentPath}/{Escape(key)}",
            ["value"] = value.DeepClone(),
        });
    }

    // Policy annotations are long strings: compare them without reading the pod's copy into a .NET string.
    private static bool Same(JsonNode? existing, JsonNode value) =>
        value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.TryGetValue<string>(out var text)
            ? JsonText.EqualsString(existing, text)
            : JsonNode.DeepEquals(existing, value);

    /// <summary>Sets string entries of a map at <paramref name="mapPath"/>, creating the map when it is missing or null.</summary>
    public void SetEntries(JsonObject owner, string ownerPath, string mapName, IEnumerable<KeyValuePair<string, string>> entries)
    {
        var wanted = entries.ToList();
        if (wanted.Count == 0)
        {
            return;
        }

        if (owner[mapName] is not JsonObject map)
        {
            var created = new JsonObject();
            foreach (var (key, value) in wanted)
            {
                created[key] = value;
            }

            _ops.Add(new JsonObject { ["op"] = owner.ContainsKey(mapName) ? "replace" : "add", ["path"] = $"{ownerPath}/{Escape(mapName)}", ["value"] = created });
            return;
        }

        foreach (var (key, value) in wanted)
        {
            Set(map, $"{ownerPath}/{Escape(mapName)}", key, JsonValue.Create(value));
        }
    }

    /// <summary>Removes <paramref name="parent"/>[<paramref name="key"/>] if present.</summary>
    public void Remove(JsonObject parent, string parentPath, string key)
    {
        if (parent.ContainsKey(key))
        {
            _ops.Add(new JsonObject { ["op"] = "remove", ["path"] = $"{parentPath}/{Escape(key)}" });
        }
    }

    /// <summary>
    /// Brings the array <paramref name="owner"/>[<paramref name="arrayName"/>] to <paramref name="wanted"/>:
    /// nothing when equal, appends when the present items are its start, else replaces it whole.
    /// </summary>
    /// <param name="owner">The object holding the array.</param>
    /// <param name="ownerPath">Its JSON pointer.</param>
    /// <param name="arrayName">The array's property name.</param>
    /// <param name="wanted">The items the array must hold.</param>
    /// <param name="normalize">Brings a present item to the form <paramref name="wanted"/>'s items are in before comparing.</param>
    public void SetArray(JsonObject owner, string ownerPath, string arrayName, IReadOnlyList<JsonNode> wanted, Func<JsonNode?, JsonNode?> normalize)
    {
        var path = $"{ownerPath}/{Escape(arrayName)}";
        if (owner[arrayName] is not JsonArray existing)
        {
            if (wanted.Count > 0 || owner.ContainsKey(arrayName))
            {
                _ops.Add(new JsonObject { ["op"] = owner.ContainsKey(arrayName) ? "replace" : "add", ["path"] = path, ["value"] = new JsonArray([.. wanted.Select(w => w.DeepClone())]) });
            }

            return;
        }

        var prefix = existing.Count <= wanted.Count && existing.Select((item, i) => JsonNode.DeepEquals(normalize(item), wanted[i])).All(same => same);
        if (!prefix)
        {
            _ops.Add(new JsonObject { ["op"] = "replace", ["path"] = path, ["value"] = new JsonArray([.. wanted.Select(w => w.DeepClone())]) });
            return;
        }

        foreach (var item in wanted.Skip(existing.Count))
        {
            _ops.Add(new JsonObject { ["op"] = "add", ["path"] = $"{path}/-", ["value"] = item.DeepClone() });
        }
    }
}
