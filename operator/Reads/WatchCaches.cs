using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Parma.Kube.Informers;

namespace Parma.Operator.Reads;

/// <summary>
/// The running controller's informer stores (groups, ConfigMaps, Secrets, ServiceAccounts), which
/// <see cref="ClusterReader"/> answers cached reads from. Empty while this replica does not lead or its
/// informers have not synced: every read is then live.
/// </summary>
internal sealed class WatchCaches
{
    private readonly ConcurrentDictionary<Type, object> _stores = new();

    /// <summary>The store of <typeparamref name="T"/>, or null (not watched, or no controller running).</summary>
    public InformerStore<T>? Store<T>()
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        _stores.TryGetValue(typeof(T), out var store) ? (InformerStore<T>)store : null;

    internal void Attach<T>(InformerStore<T> store)
        where T : class, IKubernetesObject<V1ObjectMeta> => _stores[typeof(T)] = store;

    internal void DetachAll() => _stores.Clear();
}
