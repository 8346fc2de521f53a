using k8s.Models;
using Parma.Api;

namespace Parma.Webhook.Groups;

/// <summary>
/// What the webhook reads from the cluster. Groups, policy ConfigMaps and namespaces come from caches
/// (informers); <paramref name="live"/> reads go to the API server and are only used when the cache may
/// be behind (a group whose pods are being created right after its status changed).
/// </summary>
public interface IClusterView
{
    /// <summary>True once the caches have their first list.</summary>
    bool IsSynced { get; }

    Task<ConfidentialPodGroup?> GetGroupAsync(string ns, string name, bool live, CancellationToken cancellationToken);

    /// <summary>Namespaces (other than the pods') that hold a group of this name; for error messages.</summary>
    IReadOnlyList<string> NamespacesWithGroup(string name);

    Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, bool live, CancellationToken cancellationToken);

    /// <summary>Always read live: Secrets are not cached by the webhook.</summary>
    Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken);

    Task<V1Namespace?> GetNamespaceAsync(string name, CancellationToken cancellationToken);

    /// <summary>Always read live, like Secrets: only its imagePullSecrets are used, and only when a pod names none.</summary>
    Task<V1ServiceAccount?> GetServiceAccountAsync(string ns, string name, CancellationToken cancellationToken);
}
