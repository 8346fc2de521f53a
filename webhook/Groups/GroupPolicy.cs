using System.Text.Json.Nodes;
using k8s;
using Parma.Api;
using Parma.Policy.Output;

namespace Parma.Webhook.Groups;

/// <summary>
/// A ConfidentialPodGroup's current policy as its pods must carry it: the annotations (in the group's
/// format) and host_data computed from the policy ConfigMap's text, which must agree with status.hostData.
/// </summary>
public sealed record GroupPolicy(
    ConfidentialPodGroup Group,
    string PolicyText,
    PolicyFormat Format,
    PolicyAnnotations Annotations)
{
    public string Namespace => Group.Metadata.NamespaceProperty ?? "";

    public string Name => Group.Metadata.Name ?? "";

    public string HostData => Annotations.HostDataHex;

    public string PolicyHash => ParmaLabels.ShortHash(HostData);

    /// <summary>The group's spec.policy as JSON (the generator's and the pre-flight's view of it).</summary>
    public JsonObject? PolicySpecJson => Group.Spec.Policy is { } policy
        ? JsonNode.Parse(KubernetesJson.Serialize(policy)) as JsonObject
        : null;

    public static PolicyFormat ParseFormat(string? format) => format switch
    {
        null or "" or GroupPolicySpec.AgentPolicyFormat => PolicyFormat.AgentPolicy,
        GroupPolicySpec.InitDataFormat => PolicyFormat.InitData,
        _ => throw new GroupPolicyUnavailableException($"status.policyRef.format '{format}' is not {GroupPolicySpec.AgentPolicyFormat} or {GroupPolicySpec.InitDataFormat}"),
    };
}

/// <summary>The group exists but has no usable policy yet (or its status and ConfigMap disagree).</summary>
public sealed class GroupPolicyUnavailableException(string message) : Exception(message);
