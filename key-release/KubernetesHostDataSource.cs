using Parma.Api;
using Parma.Attestation.KeyRelease;
using Parma.Kube.Client;
using Parma.Kube.Models;

namespace Parma.KeyRelease;

/// <summary>
/// The host_data values a ConfidentialPodGroup allows right now, read from the cluster: the group's
/// status.hostData, plus the parma.dev/host-data of the group's own pods that still exist (during a
/// rollout, pods on the previous policy keep their keys until they are replaced). A missing group
/// allows nothing.
/// </summary>
public sealed class KubernetesHostDataSource(IKubernetesClient client) : IHostDataSource
{
    public async Task<IReadOnlyList<string>> GetAllowedHostDataAsync(GroupReference group, CancellationToken cancellationToken)
    {
        var resource = await client.GetOrDefaultAsync<ConfidentialPodGroup>(group.Name, group.Namespace, cancellationToken);
        if (resource is null || resource.Metadata.DeletionTimestamp is not null)
        {
            return [];
        }

        var allowed = new SortedSet<string>(StringComparer.Ordinal);
        if (resource.Status?.HostData is { Length: > 0 } current)
        {
            allowed.Add(current);
        }

        var pods = await client.ListAsync<Pod>(
            group.Namespace, new ListOptions { LabelSelector = $"{ParmaLabels.Group}={group.Name}" }, cancellationToken);
        foreach (var pod in pods.Items)
        {
            var ownedByGroup = pod.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Uid == resource.Metadata.Uid) == true;
            if (ownedByGroup
                && pod.Metadata.DeletionTimestamp is null
                && pod.Metadata.Annotations?.GetValueOrDefault(ParmaLabels.HostDataAnnotation) is { Length: 64 } hostData)
            {
                allowed.Add(hostData);
            }
        }

        return [.. allowed];
    }
}
