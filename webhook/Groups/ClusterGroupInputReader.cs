using k8s.Models;
using Parma.Groups.Inputs;

namespace Parma.Webhook.Groups;

/// <summary>The webhook's group inputs: read through its cluster view (cached ConfigMaps where it has them, Secrets and ServiceAccounts live).</summary>
public sealed class ClusterGroupInputReader(IClusterView cluster) : IGroupInputReader
{
    public Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken cancellationToken) =>
        cluster.GetConfigMapAsync(ns, name, live: false, cancellationToken);

    public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken) =>
        cluster.GetSecretAsync(ns, name, cancellationToken);

    public Task<V1ServiceAccount?> GetServiceAccountAsync(string ns, string name, CancellationToken cancellationToken) =>
        cluster.GetServiceAccountAsync(ns, name, cancellationToken);
}
