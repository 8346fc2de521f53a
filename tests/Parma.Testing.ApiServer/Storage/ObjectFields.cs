using System.Globalization;
using System.Text.Json.Nodes;

namespace Parma.Testing.ApiServer.Storage;

/// <summary>Reads and writes the metadata fields the server manages.</summary>
public static class ObjectFields
{
    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta)
        {
            return meta;
        }

        meta = [];
        obj["metadata"] = meta;
        return meta;
    }

    public static string? Name(JsonObject obj) => Text(obj["metadata"]?["name"]);

    public static string? Namespace(JsonObject obj) => Text(obj["metadata"]?["namespace"]);

    public static string? Uid(JsonObject obj) => Text(obj["metadata"]?["uid"]);

    public static long ResourceVersion(JsonObject obj) =>
        long.TryParse(Text(obj["metadata"]?["resourceVersion"]), NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : 0;

    public static void SetResourceVersion(JsonObject obj, long rv) =>
        Metadata(obj)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);

    public static IReadOnlyList<string> Finalizers(JsonObject obj) =>
        obj["metadata"]?["finalizers"] is JsonArray list ? [.. list.Select(f => Text(f) ?? "")] : [];

    public static bool IsDeleting(JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;

    public static Dictionary<string, string> Labels(JsonObject obj) =>
        obj["metadata"]?["labels"] is JsonObject labels
            ? labels.ToDictionary(p => p.Key, p => Text(p.Value) ?? "")
            : [];

    /// <summary>An integer field, however the node was built (parsed JSON or a CLR number).</summary>
    public static long Integer(JsonNode? node) =>
        node is null ? 0 : long.Parse(node.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    public static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
