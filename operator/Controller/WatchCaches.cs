using k8s.Models;
using Parma.Kube.Informers;

namespace Parma.Operator.Controller;

/// <summary>
/// The running controller's informer stores, for reads where a slightly stale answer is safe because
/// the watch re-queues the group when the object changes (as controller-runtime's cached client).
/// Empty while this replica does not lead.
/// </summary>
internal sealed class WatchCaches
{
    private volatile InformerStore<V1ConfigMap>? _configMaps;

    /// <summary>The ConfigMap as last seen by the watch, or null (not seen, or no controller running).</summary>
    public V1ConfigMap? ConfigMap(string? ns, string name) => _configMaps?.Get(ns, name);

    internal void Attach(InformerStore<V1ConfigMap>? configMaps) => _configMaps = configMaps;
}
