using k8s.Models;
using Parma.Api;

namespace Parma.Groups.Inputs;

/// <summary>
/// Which Secrets registry credentials come from, in the order they are tried, as the kubelet would pull
/// the pod's images: the pod's spec.imagePullSecrets, or, when it names none, its ServiceAccount's
/// imagePullSecrets (the API server's ServiceAccount admission copies those into such a pod, so the
/// operator, which reads the template before any admission, and the webhook, which sees the admitted
/// pod, arrive at the same list); then the group's spec.policy.imagePullSecrets, which only Parma uses
/// (to resolve digests and layers) and the kubelet never sees. The first Secret in this order that has
/// credentials for a registry is the one used for it.
/// </summary>
public static class PullSecretOrder
{
    /// <summary>Whether the pod's ServiceAccount must be read (the pod names no pull secrets of its own).</summary>
    public static bool NeedsServiceAccount(V1PodSpec? spec) => spec?.ImagePullSecrets is not { Count: > 0 };

    /// <summary>Secret names in the order they are tried, each once.</summary>
    /// <param name="spec">The pod spec (or the group's template spec).</param>
    /// <param name="serviceAccount">The pod's ServiceAccount, when <see cref="NeedsServiceAccount"/>; null when it does not exist.</param>
    /// <param name="groupPolicy">The group's spec.policy, for a group's pod; null for a pod that is not a group's.</param>
    public static IReadOnlyList<string> Names(V1PodSpec? spec, V1ServiceAccount? serviceAccount, GroupPolicySpec? groupPolicy)
    {
        var pods = NeedsServiceAccount(spec) ? serviceAccount?.ImagePullSecrets ?? [] : spec!.ImagePullSecrets;
        return [.. pods.Concat(groupPolicy?.ImagePullSecrets ?? []).Select(s => s.Name)
            .OfType<string>().Where(n => n.Length > 0).Distinct(StringComparer.Ordinal)];
    }
}
