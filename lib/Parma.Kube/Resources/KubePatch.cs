using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Parma.Kube.Resources;

/// <summary>Builds the official client's <see cref="V1Patch"/> bodies.</summary>
public static class KubePatch
{
    /// <summary>RFC 7386 merge patch: maps merge, lists and scalars replace, null removes.</summary>
    public static V1Patch Merge(JsonNode patch) => new(patch.ToJsonString(), V1Patch.PatchType.MergePatch);

    public static V1Patch Merge(string json) => new(json, V1Patch.PatchType.MergePatch);

    /// <summary>RFC 6902 JSON patch.</summary>
    public static V1Patch Json(JsonArray operations) => new(operations.ToJsonString(), V1Patch.PatchType.JsonPatch);

    public static V1Patch Json(string json) => new(json, V1Patch.PatchType.JsonPatch);

    /// <summary>Server-side apply of an object's fields (JSON is valid apply YAML).</summary>
    public static V1Patch Apply(object configuration) =>
        new(configuration as string ?? KubernetesJson.Serialize(configuration), V1Patch.PatchType.ApplyPatch);

    /// <summary>A JSON patch of one operation (add, replace, remove, test).</summary>
    public static V1Patch JsonOperation(string op, string path, JsonNode? value)
    {
        var operation = new JsonObject { ["op"] = op, ["path"] = path };
        if (op is not "remove")
        {
            operation["value"] = value;
        }

        return Json(new JsonArray(operation));
    }
}
