using k8s.Models;

namespace Parma.Groups.Inputs;

/// <summary>
/// Where a group's inputs are read from: the ConfigMaps, Secrets and ServiceAccount of the group's (or
/// the pod's) own namespace. The operator backs it with its informer caches, the webhook with its cluster
/// view; both then read the inputs through <see cref="GroupInputsReader"/>, so they agree on what a policy
/// is made from. A missing object is null, never an error.
/// </summary>
public interface IGroupInputReader
{
    Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, CancellationToken cancellationToken);

    Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken);

    Task<V1ServiceAccount?> GetServiceAccountAsync(string ns, string name, CancellationToken cancellationToken);
}
