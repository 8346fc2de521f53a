using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Parma.Groups.Pods;

/// <summary>
/// The webhook's side of <see cref="PodContract"/>: the contract is applied with the same
/// <see cref="PodContract.ApplyTo"/> the operator uses, to a typed copy of the parts of the pod it
/// touches (labels, annotations, runtimeClassName, nodeSelector, tolerations), and the copy is diffed
/// against the pod into an RFC 6902 JSON Patch; empty when the pod already carries the contract.
/// </summary>
/// <remarks>
/// The copy leaves out the pod's values of <see cref="PodContract.AnnotationKeys"/>: the contract sets
/// or removes each of them whatever the pod holds, so they do not change the outcome, and the diff
/// compares the pod's (up to ~70 KiB) policy annotation in place instead of materializing it.
/// </remarks>
public static class PodContractPatch
{
    public static JsonArray For(JsonObject pod, PodContract contract)
    {
        var wanted = TypedCopy(pod);
        contract.ApplyTo(wanted);
        return Diff(pod, wanted);
    }

    /// <summary>The JSON pointers where the pod differs from its contract, for refusal messages.</summary>
    public static IReadOnlyList<string> Differences(JsonObject pod, PodContract contract) => [.. Describe(For(pod, contract))];

    /// <summary>
    /// The operations of a contract patch that change spec fields a pod update may not change (everything in
    /// spec but added tolerations), as "/spec/runtimeClassName (differs)" for messages.
    /// </summary>
    public static IReadOnlyList<string> FixedAtCreation(JsonArray patch) =>
        [.. Describe(patch.Where(op => op!["path"]!.GetValue<string>() is var path
            && path.StartsWith("/spec", StringComparison.Ordinal)
            && !(op["op"]!.GetValue<string>() == "add" && path.StartsWith("/spec/tolerations", StringComparison.Ordinal))))];

    private static IEnumerable<string> Describe(IEnumerable<JsonNode?> operations) =>
        operations.Select(op => $"{op!["path"]!.GetValue<string>()} ({(op["op"]!.GetValue<string>() == "remove" ? "must be absent" : op["op"]!.GetValue<string>() == "add" ? "missing" : "differs")})");

    private static V1Pod TypedCopy(JsonObject pod)
    {
        var metadata = pod["metadata"] as JsonObject;
        var spec = pod["spec"] as JsonObject;
        return new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Labels = StringMap(metadata?["labels"], []),
                Annotations = StringMap(metadata?["annotations"], PodContract.AnnotationKeys),
            },
            Spec = new V1PodSpec
            {
                RuntimeClassName = JsonText.StringOrNull(spec?["runtimeClassName"])?.GetValue<string>(),
                NodeSelector = StringMap(spec?["nodeSelector"], []),
                Tolerations = spec?["tolerations"] is JsonArray tolerations ? KubernetesJson.Deserialize<List<V1Toleration>>(tolerations.ToJsonString()) : null,
            },
        };
    }

    private static Dictionary<string, string>? StringMap(JsonNode? node, IReadOnlyList<string> leaveOut)
    {
        if (node is not JsonObject map)
        {
            return null;
        }

        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            if (!leaveOut.Contains(key) && JsonText.StringOrNull(value) is { } text)
            {
                copy[key] = text.GetValue<string>();
            }
        }

        return copy;
    }

    private static JsonArray Diff(JsonObject pod, V1Pod wanted)
    {
        var patch = new JsonPatchBuilder();
        if (pod["metadata"] is not JsonObject metadata)
        {
            metadata = [];
            patch.Operations.Add(new JsonObject { ["op"] = pod.ContainsKey("metadata") ? "replace" : "add", ["path"] = "/metadata", ["value"] = new JsonObject() });
        }

        Map(patch, metadata, "/metadata", "annotations", wanted.Metadata.Annotations);
        Map(patch, metadata, "/metadata", "labels", wanted.Metadata.Labels);
        if (pod["spec"] is not JsonObject spec)
        {
            // The API server refuses a pod without a spec; there is nothing to stamp.
            return patch.Operations;
        }

        if (wanted.Spec.RuntimeClassName is { } runtimeClass)
        {
            patch.Set(spec, "/spec", "runtimeClassName", JsonValue.Create(runtimeClass));
        }
        else
        {
            patch.Remove(spec, "/spec", "runtimeClassName");
        }

        Map(patch, spec, "/spec", "nodeSelector", wanted.Spec.NodeSelector);
        if (wanted.Spec.Tolerations is { } tolerations)
        {
            patch.SetArray(spec, "/spec", "tolerations", [.. tolerations.Select(Json)],
                item => item is null ? null : Json(KubernetesJson.Deserialize<V1Toleration>(item.ToJsonString())));
        }

        return patch.Operations;
    }

    private static JsonNode Json(V1Toleration toleration) => JsonNode.Parse(KubernetesJson.Serialize(toleration))!;

    /// <summary>Entries of the wanted map that differ are set; string entries it lacks, and the contract's annotations it lacks, are removed.</summary>
    private static void Map(JsonPatchBuilder patch, JsonObject owner, string ownerPath, string name, IDictionary<string, string>? wanted)
    {
        patch.SetEntries(owner, ownerPath, name, wanted ?? new Dictionary<string, string>());
        if (owner[name] is JsonObject existing)
        {
            foreach (var key in existing.Select(p => p.Key).Where(k => (wanted is null || !wanted.ContainsKey(k))
                && (JsonText.StringOrNull(existing[k]) is not null || PodContract.AnnotationKeys.Contains(k))).ToList())
            {
                patch.Remove(existing, $"{ownerPath}/{JsonPatchBuilder.Escape(name)}", key);
            }
        }
    }
}
