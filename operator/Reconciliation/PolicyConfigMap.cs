using Parma.Api;
using Parma.Kube.Client;
using Parma.Kube.Models;
using Parma.Operator.Pods;
using Parma.Operator.Policy;

namespace Parma.Operator.Reconciliation;

/// <summary>The ConfigMap <c>&lt;group&gt;-policy</c> that holds the group's policy text and host_data, owned by the group.</summary>
internal static class PolicyConfigMap
{
    public const string PolicyKey = "policy.rego";
    public const string HostDataKey = "host-data";

    public static string NameOf(string groupName) => $"{groupName}-policy";

    /// <summary>Creates or updates the ConfigMap; throws <see cref="GroupPolicyException"/> when a ConfigMap of that name belongs to someone else.</summary>
    /// <param name="cached">
    /// The ConfigMap as the watch last saw it. When it is the group's and already holds the policy, the
    /// API server is not asked (the policy is ~70 KiB): a later change to it comes through the watch and
    /// re-queues the group, so a stale answer is corrected by the next reconcile.
    /// </param>
    public static async Task EnsureAsync(IKubernetesClient client, ConfidentialPodGroup group, GroupPolicy policy, ConfigMap? cached, CancellationToken cancellationToken)
    {
        var ns = group.Metadata.Namespace;
        var name = NameOf(group.Metadata.Name!);
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PolicyKey] = policy.PolicyText,
            [HostDataKey] = policy.HostData,
        };
        if (cached is not null && PodBuilder.IsControlledBy(cached, group) && Holds(cached, data))
        {
            return;
        }

        var existing = await client.GetOrDefaultAsync<ConfigMap>(name, ns, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            await client.CreateAsync(new ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = new ObjectMeta
                {
                    Name = name,
                    Namespace = ns,
                    Labels = new() { [ParmaLabels.Group] = group.Metadata.Name!, [ParmaLabels.ManagedBy] = ParmaLabels.ManagedByValue },
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

        existing.Data = data;
        await client.ReplaceAsync(existing, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static bool Holds(ConfigMap configMap, Dictionary<string, string> data) =>
        configMap.Data is { } current && current.Count == data.Count && data.All(p => current.GetValueOrDefault(p.Key) == p.Value);
}
