using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Policy.Output;
using Parma.Webhook.Groups;

namespace Parma.Webhook.Mutation;

/// <summary>
/// What makes a pod confidential: the policy annotation in its format with host_data, the policy-hash
/// label, the RuntimeClass, and the SNP node pool's node selector and tolerations. The operator builds
/// its pods with exactly these, so stamping one of them changes nothing.
/// </summary>
public sealed record PodStamp(
    PolicyAnnotations Annotations,
    string RuntimeClassName,
    IReadOnlyList<KeyValuePair<string, string>> NodeSelector,
    IReadOnlyList<JsonNode> Tolerations)
{
    /// <summary>The policy annotation key of the other format, which a stamped pod must not carry.</summary>
    public string OtherPolicyKey => Annotations.Key == PolicyAnnotations.AgentPolicyKey ? PolicyAnnotations.InitDataKey : PolicyAnnotations.AgentPolicyKey;

    public string PolicyHash => ParmaLabels.ShortHash(Annotations.HostDataHex);

    /// <summary>A group's pods: settings' node selector with the group's over it, settings' tolerations then the group's.</summary>
    public static PodStamp ForGroup(GroupPolicy policy, ParmaSettings settings)
    {
        var nodeSelector = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in settings.NodeSelector.Concat(policy.Group.Spec.NodeSelector ?? []))
        {
            nodeSelector[key] = value;
        }

        var tolerations = settings.Tolerations.Concat(policy.Group.Spec.Tolerations ?? []).Select(ToJson).ToList();
        return new PodStamp(policy.Annotations, policy.RuntimeClassName(settings), [.. nodeSelector], tolerations);
    }

    /// <summary>An opted-in workload's pods: its generated policy, its own RuntimeClass if allowed (else the default), the settings' node pool.</summary>
    public static PodStamp ForGenerated(PolicyAnnotations annotations, string? podRuntimeClass, ParmaSettings settings)
    {
        var runtimeClass = podRuntimeClass is { Length: > 0 } own && settings.IsRuntimeClassAllowed(own) ? own : settings.RuntimeClassName;
        return new PodStamp(annotations, runtimeClass, [.. settings.NodeSelector], [.. settings.Tolerations.Select(ToJson)]);
    }

    private static JsonNode ToJson(V1Toleration toleration) => JsonNode.Parse(KubernetesJson.Serialize(toleration)) ?? new JsonObject();
}
