using System.Text.Json.Nodes;
using Parma.Groups.Pods;
using Parma.Api;
using Parma.Policy.Output;

namespace Parma.Webhook.Admission;

/// <summary>
/// What a pod says about itself: its group label, the group its controller ownerReference names, the
/// opt-in annotation and the policy annotations. All of it is set by whoever creates or updates the
/// pod, so none of it is trusted: it only says what the webhook must check the pod against.
/// </summary>
/// <param name="Owner">The controller ownerReference, when it names a ConfidentialPodGroup (as the operator's pods carry).</param>
/// <param name="AgentPolicyValue">The policy annotation as the review's JSON string (compare with <see cref="JsonText"/>; reading it as a string costs ~140 KiB).</param>
/// <param name="InitDataValue">The initdata annotation, likewise.</param>
public sealed record PodClaim(
    string? GroupName,
    GroupOwner? Owner,
    bool OptedIn,
    string? HostData,
    JsonValue? AgentPolicyValue,
    JsonValue? InitDataValue,
    string? PolicyHashLabel,
    string? RuntimeClassName)
{
    /// <summary>The policy annotation's text (materialized on each read).</summary>
    public string? AgentPolicy => AgentPolicyValue?.GetValue<string>();

    /// <summary>The pod claims a group: by its label or by its controller ownerReference.</summary>
    public bool ClaimsGroup => GroupName is not null || Owner is not null;

    /// <summary>The pod carries a policy, host_data or policy hash of its own.</summary>
    public bool CarriesPolicy => AgentPolicyValue is not null || InitDataValue is not null || HostData is not null || PolicyHashLabel is not null;

    /// <summary>
    /// Anything Parma acts on: a group claim, the opt-in annotation or a carried policy. A pod without any
    /// of these is a plain pod; an update that gives a plain pod one of them is judged as a create.
    /// </summary>
    public bool ClaimsAnything => ClaimsGroup || OptedIn || CarriesPolicy;

    /// <summary>The carried policy annotations, for messages: "io.katacontainers.config.agent.policy, parma.dev/host-data".</summary>
    public string CarriedKeys => string.Join(", ", new[]
    {
        AgentPolicyValue is null ? null : $"metadata.annotations[{PolicyAnnotations.AgentPolicyKey}]",
        InitDataValue is null ? null : $"metadata.annotations[{PolicyAnnotations.InitDataKey}]",
        HostData is null ? null : $"metadata.annotations[{PolicyAnnotations.HostDataKey}]",
        PolicyHashLabel is null ? null : $"metadata.labels[{ParmaLabels.PolicyHash}]",
    }.OfType<string>());

    public static PodClaim Of(JsonObject pod)
    {
        var metadata = pod["metadata"] as JsonObject;
        var labels = metadata?["labels"] as JsonObject;
        var annotations = metadata?["annotations"] as JsonObject;
        return new PodClaim(
            Str(labels, ParmaLabels.Group),
            GroupOwner.Of(metadata?["ownerReferences"] as JsonArray),
            Str(annotations, ParmaLabels.GeneratePolicy) == "true",
            Str(annotations, PolicyAnnotations.HostDataKey),
            JsonText.StringOrNull(annotations?[PolicyAnnotations.AgentPolicyKey]),
            JsonText.StringOrNull(annotations?[PolicyAnnotations.InitDataKey]),
            Str(labels, ParmaLabels.PolicyHash),
            Str(pod["spec"] as JsonObject, "runtimeClassName"));
    }

    private static string? Str(JsonObject? map, string key) =>
        map?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>A pod's controller ownerReference to a ConfidentialPodGroup (any version of parma.dev).</summary>
public sealed record GroupOwner(string Name, string? Uid)
{
    public static GroupOwner? Of(JsonArray? ownerReferences)
    {
        foreach (var reference in ownerReferences?.OfType<JsonObject>() ?? [])
        {
            if (reference["controller"] is JsonValue controller && controller.TryGetValue<bool>(out var isController) && isController
                && Str(reference, "kind") == ParmaApi.Kind
                && Str(reference, "apiVersion") is { } apiVersion && apiVersion.StartsWith(ParmaApi.Group + "/", StringComparison.Ordinal))
            {
                return new GroupOwner(Str(reference, "name") ?? "", Str(reference, "uid"));
            }
        }

        return null;
    }

    private static string? Str(JsonObject map, string key) =>
        map[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
