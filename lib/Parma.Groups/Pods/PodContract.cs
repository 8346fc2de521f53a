using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Policy.Output;

namespace Parma.Groups.Pods;

/// <summary>
/// What a confidential pod must carry: its policy annotation (in the group's format, the other format's
/// removed) with host_data, the policy-hash label, the group label for a group's pod, the RuntimeClass,
/// and the SNP node pool's node selector and tolerations. The operator applies it to the typed pods it
/// creates (<see cref="ApplyTo"/>); the webhook turns the same application into a JSON Patch
/// (<see cref="PodContractPatch"/>) and refuses pods that differ from it. The ownerReference is not part
/// of it: only the operator's own pods are owned by the group (an owner set on a user's pod would let the
/// group's garbage collection and the operator's rollouts delete it).
/// </summary>
public sealed record PodContract(
    PolicyAnnotations Annotations,
    string RuntimeClassName,
    IReadOnlyList<KeyValuePair<string, string>> NodeSelector,
    IReadOnlyList<V1Toleration> Tolerations,
    string? GroupName)
{
    /// <summary>Annotations the contract sets or removes.</summary>
    public static readonly IReadOnlyList<string> AnnotationKeys = [PolicyAnnotations.AgentPolicyKey, PolicyAnnotations.InitDataKey, PolicyAnnotations.HostDataKey];

    /// <summary>Labels the contract sets whose value follows from the policy (the group label names the workload and stays).</summary>
    public static readonly IReadOnlyList<string> PolicyLabelKeys = [ParmaLabels.PolicyHash];

    /// <summary>Pod spec fields the contract sets.</summary>
    public static readonly IReadOnlyList<string> SpecFields = ["runtimeClassName", "nodeSelector", "tolerations"];

    public string PolicyHash => ParmaLabels.ShortHash(Annotations.HostDataHex);

    /// <summary>The policy annotation key of the other format, which a confidential pod must not carry.</summary>
    public string OtherPolicyKey => Annotations.Key == PolicyAnnotations.AgentPolicyKey ? PolicyAnnotations.InitDataKey : PolicyAnnotations.AgentPolicyKey;

    /// <summary>The RuntimeClass a group's pods run with: the group's, else the cluster default.</summary>
    public static string RuntimeClassOf(ConfidentialPodGroup group, ParmaSettings settings) => group.Spec.RuntimeClassName ?? settings.RuntimeClassName;

    /// <summary>
    /// A group's pods: its policy, its RuntimeClass, the settings' node selector with the group's over it,
    /// the settings' tolerations then the group's, and the group label.
    /// </summary>
    public static PodContract ForGroup(ConfidentialPodGroup group, PolicyAnnotations annotations, ParmaSettings settings)
    {
        var nodeSelector = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in settings.NodeSelector.Concat(group.Spec.NodeSelector ?? []))
        {
            nodeSelector[key] = value;
        }

        return new PodContract(annotations, RuntimeClassOf(group, settings), [.. nodeSelector],
            [.. settings.Tolerations.Concat(group.Spec.Tolerations ?? [])], group.Metadata.Name);
    }

    /// <summary>An opted-in workload's pods: its generated policy, its own RuntimeClass if allowed (else the default), the settings' node pool.</summary>
    public static PodContract ForGenerated(PolicyAnnotations annotations, string? podRuntimeClass, ParmaSettings settings)
    {
        var runtimeClass = podRuntimeClass is { Length: > 0 } own && settings.IsRuntimeClassAllowed(own) ? own : settings.RuntimeClassName;
        return new PodContract(annotations, runtimeClass, [.. settings.NodeSelector], [.. settings.Tolerations], null);
    }

    /// <summary>
    /// Makes <paramref name="pod"/> carry the contract. Annotations, labels and node-selector entries of the
    /// pod that the contract does not name stay; its tolerations stay and the contract's missing ones are
    /// appended. Applying it twice changes nothing the second time.
    /// </summary>
    public void ApplyTo(V1Pod pod)
    {
        var metadata = pod.Metadata ??= new V1ObjectMeta();
        var annotations = metadata.Annotations ??= new Dictionary<string, string>(StringComparer.Ordinal);
        annotations.Remove(OtherPolicyKey);
        annotations[Annotations.Key] = Annotations.Value;
        annotations[PolicyAnnotations.HostDataKey] = Annotations.HostDataHex;
        var labels = metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
        labels[ParmaLabels.PolicyHash] = PolicyHash;
        if (GroupName is not null)
        {
            labels[ParmaLabels.Group] = GroupName;
        }

        var spec = pod.Spec ??= new V1PodSpec();
        spec.RuntimeClassName = RuntimeClassName;
        if (NodeSelector.Count > 0)
        {
            var nodeSelector = spec.NodeSelector ??= new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in NodeSelector)
            {
                nodeSelector[key] = value;
            }
        }

        var present = new HashSet<string>((spec.Tolerations ?? []).Select(t => KubernetesJson.Serialize(t)), StringComparer.Ordinal);
        var missing = Tolerations.Select(t => KubernetesJson.Serialize(t)).Where(present.Add).ToList();
        if (missing.Count > 0)
        {
            spec.Tolerations = [.. spec.Tolerations ?? [], .. missing.Select(json => KubernetesJson.Deserialize<V1Toleration>(json))];
        }
    }
}
