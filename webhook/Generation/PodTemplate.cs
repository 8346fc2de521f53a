using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Parma.Api;
using Parma.Groups.Pods;
using Parma.Policy.Input;
using Parma.Policy.Output;

namespace Parma.Webhook.Generation;

/// <summary>
/// A pod as the policy generator sees it: its metadata and spec without what the pod contract sets
/// (<see cref="PodContract"/>: policy annotations, host_data, the policy-hash label, RuntimeClass, node
/// selector, tolerations), so that a
/// pod gives the same template, and the same <see cref="Hash"/>, before and after it is stamped.
/// Replicas of one controller revision share the template and therefore the generated policy.
/// </summary>
public sealed record PodTemplate(string Namespace, string WorkloadName, PodNaming Naming, JsonObject Template, string Hash)
{

    public JsonObject Spec => (JsonObject)Template["spec"]!;

    public static PodTemplate Of(JsonObject pod, string ns)
    {
        var metadata = pod["metadata"] as JsonObject ?? [];
        var name = Str(metadata, "name");
        var generateName = Str(metadata, "generateName");
        var labels = Without(metadata["labels"] as JsonObject, PodContract.PolicyLabelKeys);
        var annotations = Without(metadata["annotations"] as JsonObject, PodContract.AnnotationKeys);
        // A generated name (controllers' replicas) may or may not be filled in when admission runs; the
        // policy allows any suffix, so only the prefix counts.
        var templateMetadata = new JsonObject { ["namespace"] = ns };
        if (generateName is not null)
        {
            templateMetadata["generateName"] = generateName;
        }
        else if (name is not null)
        {
            templateMetadata["name"] = name;
        }

        templateMetadata["labels"] = labels;
        templateMetadata["annotations"] = annotations;
        var spec = (pod["spec"] as JsonObject)?.DeepClone() as JsonObject ?? [];
        foreach (var field in PodContract.SpecFields)
        {
            spec.Remove(field);
        }

        var template = new JsonObject { ["metadata"] = templateMetadata, ["spec"] = spec };
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson.Write(template))));
        var (workloadName, naming) = generateName is not null
            ? (generateName.TrimEnd('-'), PodNaming.GeneratedSuffix)
            : (name ?? "pod", PodNaming.Exact);
        return new PodTemplate(ns, workloadName, naming, template, hash);
    }

    private static string? Str(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static JsonObject Without(JsonObject? map, IReadOnlyList<string> keys)
    {
        // Copy only what stays: cloning a policy annotation just to drop it would copy ~70 KiB per pod.
        var copy = new JsonObject();
        foreach (var (key, value) in map ?? [])
        {
            if (!keys.Contains(key))
            {
                copy[key] = value?.DeepClone();
            }
        }

        return copy;
    }
}
