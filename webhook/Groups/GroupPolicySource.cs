using System.Collections.Concurrent;
using Parma.Api;
using Parma.Policy.Output;

namespace Parma.Webhook.Groups;

/// <summary>
/// Finds a group's <see cref="GroupPolicy"/>, computing its annotations once per (group, ConfigMap)
/// version. When the cached group or ConfigMap is missing or inconsistent, reads them live once: the
/// operator writes the status and ConfigMap just before it creates pods, and the cache may lag.
/// </summary>
public sealed class GroupPolicySource(IClusterView cluster)
{
    private readonly ConcurrentDictionary<string, GroupPolicy> _computed = new(StringComparer.Ordinal);

    /// <summary>The group (null if it does not exist) and its policy; throws <see cref="GroupPolicyUnavailableException"/> when it has none usable.</summary>
    /// <param name="claimedHostData">The pod's parma.dev/host-data, if any: a mismatch with the cache triggers a live read.</param>
    /// <param name="claimedUid">The uid of the pod's controller ownerReference to the group, if any: likewise (the group may have been recreated).</param>
    public async Task<GroupPolicy?> FindAsync(string ns, string name, string? claimedHostData, string? claimedUid, CancellationToken cancellationToken)
    {
        var group = await cluster.GetGroupAsync(ns, name, live: false, cancellationToken).ConfigureAwait(false);
        if (group is not null && (claimedUid is null || claimedUid == group.Metadata.Uid))
        {
            try
            {
                var cached = await ComputeAsync(group, live: false, cancellationToken).ConfigureAwait(false);
                if (claimedHostData is null || claimedHostData == cached.HostData)
                {
                    return cached;
                }
            }
            catch (GroupPolicyUnavailableException)
            {
                // Fall through to a live read.
            }
        }

        group = await cluster.GetGroupAsync(ns, name, live: true, cancellationToken).ConfigureAwait(false);
        return group is null ? null : await ComputeAsync(group, live: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<GroupPolicy> ComputeAsync(ConfidentialPodGroup group, bool live, CancellationToken cancellationToken)
    {
        var where = $"ConfidentialPodGroup {group.Metadata.NamespaceProperty}/{group.Metadata.Name}";
        if (group.Metadata.DeletionTimestamp is not null)
        {
            throw new GroupPolicyUnavailableException($"{where} is being deleted; it takes no new pods");
        }

        var status = group.Status;
        if (status?.HostData is not { Length: > 0 } hostData || status.PolicyRef is not { Name.Length: > 0 } reference)
        {
            throw new GroupPolicyUnavailableException($"{where} has no policy yet (status.hostData and status.policyRef are not set; see its conditions)");
        }

        var configMap = await cluster.GetConfigMapAsync(group.Metadata.NamespaceProperty ?? "", reference.Name, live, cancellationToken).ConfigureAwait(false)
            ?? throw new GroupPolicyUnavailableException($"{where}: its policy ConfigMap {reference.Name} does not exist");
        var key = string.IsNullOrEmpty(reference.Key) ? "policy.rego" : reference.Key;
        var cacheKey = $"{group.Metadata.Uid}/{group.Metadata.ResourceVersion}/{configMap.Metadata.Uid}/{configMap.Metadata.ResourceVersion}/{key}/{reference.Format}";
        if (_computed.TryGetValue(cacheKey, out var known))
        {
            return known;
        }

        if (configMap.Data is null || !configMap.Data.TryGetValue(key, out var text))
        {
            throw new GroupPolicyUnavailableException($"{where}: ConfigMap {reference.Name} has no key {key}");
        }

        var format = GroupPolicy.ParseFormat(reference.Format);
        var annotations = PolicyAnnotations.For(text, format);
        if (annotations.HostDataHex != hostData)
        {
            throw new GroupPolicyUnavailableException(
                $"{where}: the policy in ConfigMap {reference.Name} hashes to host_data {annotations.HostDataHex}, not status.hostData {hostData} (an update is in progress, or the ConfigMap was altered)");
        }

        var policy = new GroupPolicy(group, text, format, annotations);
        if (_computed.Count > 4096)
        {
            _computed.Clear();
        }

        _computed[cacheKey] = policy;
        return policy;
    }
}
