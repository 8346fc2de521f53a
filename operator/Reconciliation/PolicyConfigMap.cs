using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Kube.Resources;
using Parma.Operator.Pods;
using Parma.Operator.Policy;
using Parma.Operator.Reads;

namespace Parma.Operator.Reconciliation;

/// <summary>The ConfigMap <c>&lt;group&gt;-policy</c> that holds the group's policy text and host_data, owned by the group.</summary>
internal static class PolicyConfigMap
{
    public const string PolicyKey = "policy.rego";
    public const string HostDataKey = "host-data";

    public static string NameOf(string groupName) => $"{groupName}-policy";

    /// <summary>Creates or updates the ConfigMap; throws <see cref="GroupPolicyException"/> when a ConfigMap of that name belongs to someone else.</summary>
    /// <remarks>
    /// When the cached ConfigMap (<see cref="ReadSites.PolicyConfigMapUnchanged"/>) is the group's and
    /// already holds the policy, the API server is not asked (the policy is ~70 KiB); otherwise it is read
    /// live (<see cref="ReadSites.PolicyConfigMapBeforeWrite"/>) and written.
    /// </remarks>
    public static async Task EnsureAsync(IKubernetes client, ClusterReader reader, ConfidentialPodGroup group, GroupPolicy policy, CancellationToken cancellationToken)
    {
        var ns = group.Metadata.NamespaceProperty;
        var name = NameOf(group.Metadata.Name!);
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PolicyKey] = policy.PolicyText,
            [HostDataKey] = policy.HostData,
        };
        var cached = await reader.GetAsync<V1ConfigMap>(ReadSites.PolicyConfigMapUnchanged, ns, name, cancellationToken).ConfigureAwait(false);
        if (cached is not null && PodBuilder.IsControlledBy(cached, group) && Holds(cached, data))
        {
            return;
        }

        var configMaps = client.Resource<V1ConfigMap>();
        var existing = await reader.GetAsync<V1ConfigMap>(ReadSites.PolicyConfigMapBeforeWrite, ns, name, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            await configMaps.CreateAsync(new V1ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = ns,
                    Labels = new Dictionary<string, string> { [ParmaLabels.Group] = group.Metadata.Name!, [ParmaLabels.ManagedBy] = ParmaLabels.ManagedByValue },
                    OwnerReferences = [PodBuilder.OwnerOf(group)],
                },
                Data = data,
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!PodBuilder.IsControlledBy(existing, group))
        {
            throw new GroupPolicyException(
                GroupConditions.Reasons.InvalidSpec,
                $"ConfigMap {ns}/{name} exists and is not owned by this group; the operator keeps the policy there. Delete or rename that ConfigMap.",
                retry: false);
        }

        if (Holds(existing, data))
        {
            return;
        }

        // A merge patch of the two keys, conditional on the version read (it was checked to be ours): labels,
        // annotations and keys others added stay.
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = existing.Metadata.ResourceVersion },
            ["data"] = new JsonObject { [PolicyKey] = policy.PolicyText, [HostDataKey] = policy.HostData },
        };
        await configMaps.PatchAsync(name, ns, KubePatch.Merge(patch), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the ConfigMap holds the policy (other keys do not matter).</summary>
    private static bool Holds(V1ConfigMap configMap, Dictionary<string, string> data) =>
        configMap.Data is { } current && data.All(p => current.TryGetValue(p.Key, out var value) && value == p.Value);
}
