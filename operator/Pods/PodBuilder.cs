using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Groups.Pods;
using Parma.Operator.Policy;

namespace Parma.Operator.Pods;

/// <summary>
/// A pod of a group: its template with images pinned by digest, its name, the group as controlling
/// owner, and the confidential pod contract (<see cref="PodContract.ForGroup"/>: policy annotations with
/// host_data, group and policy-hash labels, RuntimeClass, the SNP node pool's node selector and
/// tolerations), applied by the same code the webhook stamps and checks pods with.
/// </summary>
internal static class PodBuilder
{
    public static V1Pod Build(ConfidentialPodGroup group, GroupPolicy policy, ParmaSettings settings, string name)
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

        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = group.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
                Annotations = new Dictionary<string, string>(template.Metadata?.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal),
                OwnerReferences = [OwnerOf(group)],
            },
            Spec = spec,
        };
        PodContract.ForGroup(group, policy.Annotations, settings).ApplyTo(pod);
        return pod;
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
