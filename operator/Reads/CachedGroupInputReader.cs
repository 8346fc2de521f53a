using k8s.Models;
using Parma.Groups.Inputs;

namespace Parma.Operator.Reads;

/// <summary>The operator's group inputs: from its informer caches (<see cref="ReadSites.GroupInputs"/>).</summary>
internal sealed class CachedGroupInputReader(ClusterReader reader) : IGroupInputReader
{
    public Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken cancellationToken) =>
        reader.GetAsync<V1ConfigMap>(ReadSites.GroupInputs, ns, name, cancellationToken);

    public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken) =>
        reader.GetAsync<V1Secret>(ReadSites.GroupInputs, ns, name, cancellationToken);

    public Task<V1ServiceAccount?> GetServiceAccountAsync(string ns, string name, CancellationToken cancellationToken) =>
        reader.GetAsync<V1ServiceAccount>(ReadSites.GroupInputs, ns, name, cancellationToken);
}
