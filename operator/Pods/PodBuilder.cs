using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Operator.Policy;

namespace Parma.Operator.Pods;

/// <summary>
/// A pod of a group: its template with images pinned by digest, the RuntimeClass, the SNP node pool's
/// node selector and tolerations, the policy annotations with host_data, the group and policy-hash
/// labels, and the group as controlling owner.
/// </summary>
internal static class PodBuilder
{
    public static V1Pod Build(ConfidentialPodGroup group, GroupPolicy policy, ParmaSettings settings, string runtimeClassName, string name)
    {
        var template = Clone(group.Spec.Template);
        var spec = template.Spec ?? new V1PodSpec();
        foreach (var container in (spec.InitContainers ?? []).Concat(spec.Containers ?? []))
        {
            if (container.Image is { } image && policy.PinnedImages.TryGetValue(image, out var pinned))
            {
                container.Image = pinned;
            }
        }

        spec.RuntimeClassName = runtimeClassName;
        var nodeSelector = new Dictionary<string, string>(spec.NodeSelector ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in settings.NodeSelector.Concat(group.Spec.NodeSelector ?? []))
        {
            nodeSelector[key] = value;
        }

        spec.NodeSelector = nodeSelector.Count == 0 ? null : nodeSelector;
        var tolerations = (spec.Tolerations ?? []).Concat(settings.Tolerations.Select(Clone)).Concat((group.Spec.Tolerations ?? []).Select(Clone)).ToList();
        spec.Tolerations = tolerations.Count == 0 ? null : tolerations;

        var labels = new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [ParmaLabels.Group] = group.Metadata.Name!,
            [ParmaLabels.PolicyHash] = policy.PolicyHash,
        };
        var annotations = new Dictionary<string, string>(template.Metadata?.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in policy.Annotations.ToDictionary())
        {
            annotations[key] = value;
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = group.Metadata.NamespaceProperty,
                Labels = labels,
                Annotations = annotations,
                OwnerReferences = [OwnerOf(group)],
            },
            Spec = spec,
        };
    }

    public static V1OwnerReference OwnerOf(ConfidentialPodGroup group) => new()
    {
        ApiVersion = ParmaApi.ApiVersion,
        Kind = ParmaApi.Kind,
        Name = group.Metadata.Name!,
        Uid = group.Metadata.Uid!,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    /// <summary>Whether the group controls <paramref name="obj"/> (its controller owner reference has the group's uid).</summary>
    public static bool IsControlledBy(IKubernetesObject<V1ObjectMeta> obj, ConfidentialPodGroup group) =>
        obj.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Uid == group.Metadata.Uid) == true;

    private static T Clone<T>(T value) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(value!));
}
