using Parma.Kube.Informers;
using Parma.Kube.Models;

namespace Parma.Operator.Controller;

/// <summary>
/// The running controller's informer stores, for reads where a slightly stale answer is safe because
/// the watch re-queues the group when the object changes (as controller-runtime's cached client).
/// Empty while this replica does not lead.
/// </summary>
internal sealed class WatchCaches
{
    private volatile InformerStore<ConfigMap>? _configMaps;

    /// <summary>The ConfigMap as last seen by the watch, or null (not seen, or no controller running).</summary>
    public ConfigMap? ConfigMap(string? ns, string name) => _configMaps?.Get(ns, name);

    internal void Attach(InformerStore<ConfigMap>? configMaps) => _configMaps = configMaps;
}
