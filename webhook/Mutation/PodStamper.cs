using System.Text.Json.Nodes;
using Parma.Api;
using Parma.Policy.Output;

namespace Parma.Webhook.Mutation;

/// <summary>The JSONPatch that stamps a pod (empty when it already carries the stamp).</summary>
public static class PodStamper
{
    public static JsonArray Patch(JsonObject pod, PodStamp stamp)
    {
        var patch = new JsonPatchBuilder();
        var metadata = pod["metadata"] as JsonObject;
        if (metadata is null)
        {
            metadata = [];
            patch.Operations.Add(new JsonObject { ["op"] = "add", ["path"] = "/metadata", ["value"] = new JsonObject() });
        }

        var annotations = new List<KeyValuePair<string, string>>
        {
            new(stamp.Annotations.Key, stamp.Annotations.Value),
            new(PolicyAnnotations.HostDataKey, stamp.Annotations.HostDataHex),
        };
        patch.SetEntries(metadata, "/metadata", "annotations", annotations);
        if (metadata["annotations"] is JsonObject existingAnnotations)
        {
            patch.Remove(existingAnnotations, "/metadata/annotations", stamp.OtherPolicyKey);
        }

        patch.SetEntries(metadata, "/metadata", "labels", [new(ParmaLabels.PolicyHash, stamp.PolicyHash)]);

        if (pod["spec"] is JsonObject spec)
        {
            patch.Set(spec, "/spec", "runtimeClassName", JsonValue.Create(stamp.RuntimeClassName));
            patch.SetEntries(spec, "/spec", "nodeSelector", stamp.NodeSelector);
            patch.AppendMissing(spec, "/spec", "tolerations", stamp.Tolerations);
        }

        return patch.Operations;
    }

    /// <summary>
    /// The operations of a stamp patch that change spec fields a pod update may not change (everything in
    /// spec but added tolerations), as "/spec/runtimeClassName (differs)" for messages.
    /// </summary>
    public static IReadOnlyList<string> FixedAtCreation(JsonArray patch) =>
        [.. Describe(patch.Where(op => op!["path"]!.GetValue<string>() is var path
            && path.StartsWith("/spec", StringComparison.Ordinal)
            && !(op["op"]!.GetValue<string>() == "add" && path.StartsWith("/spec/tolerations", StringComparison.Ordinal))))];

    /// <summary>The JSON pointers where the pod differs from its stamp, for refusal messages.</summary>
    public static IReadOnlyList<string> Differences(JsonObject pod, PodStamp stamp) => [.. Describe(Patch(pod, stamp))];

    private static IEnumerable<string> Describe(IEnumerable<JsonNode?> operations) =>
        operations.Select(op => $"{op!["path"]!.GetValue<string>()} ({(op["op"]!.GetValue<string>() == "remove" ? "must be absent" : op["op"]!.GetValue<string>() == "add" ? "missing" : "differs")})");
}
