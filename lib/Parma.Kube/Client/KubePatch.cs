using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Kube.Client;

public enum PatchKind
{
    /// <summary>RFC 7386, application/merge-patch+json.</summary>
    Merge,

    /// <summary>RFC 6902, application/json-patch+json.</summary>
    Json,

    /// <summary>application/strategic-merge-patch+json (built-in kinds only).</summary>
    StrategicMerge,

    /// <summary>Server-side apply, application/apply-patch+yaml (JSON is valid YAML).</summary>
    Apply,
}

/// <summary>A patch body and its type.</summary>
public sealed record KubePatch(PatchKind Kind, string Body)
{
    public string ContentType => Kind switch
    {
        PatchKind.Merge => "application/merge-patch+json",
        PatchKind.Json => "application/json-patch+json",
        PatchKind.StrategicMerge => "application/strategic-merge-patch+json",
        PatchKind.Apply => "application/apply-patch+yaml",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
    };

    public static KubePatch Merge(JsonNode patch) => new(PatchKind.Merge, patch.ToJsonString());

    public static KubePatch Merge(string json) => new(PatchKind.Merge, json);

    public static KubePatch Json(JsonArray operations) => new(PatchKind.Json, operations.ToJsonString());

    public static KubePatch Json(string json) => new(PatchKind.Json, json);

    public static KubePatch StrategicMerge(string json) => new(PatchKind.StrategicMerge, json);

    /// <summary>A JSON patch of a single operation (add, replace, remove, test).</summary>
    public static KubePatch JsonOperation(string op, string path, JsonNode? value)
    {
        var operation = new JsonObject { ["op"] = op, ["path"] = path };
        if (op is not "remove")
        {
            operation["value"] = value;
        }

        return new(PatchKind.Json, new JsonArray(operation).ToJsonString());
    }

    internal static string Serialize<T>(T value, JsonSerializerOptions options) => JsonSerializer.Serialize(value, options);
}
