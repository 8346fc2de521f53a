using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Parma.Kube.Informers;
using Parma.Kube.Resources;

namespace Parma.Operator.Reads;

/// <summary>
/// The operator's reads, each naming its <see cref="ReadSite"/>: cached reads come from the running
/// controller's informer stores (live while there are none), live reads from the API server. A group
/// whose write hit a Conflict is read live once (its cached copy is known to be behind).
/// </summary>
internal sealed class ClusterReader(IKubernetes client, WatchCaches caches)
{
    private readonly ConcurrentDictionary<string, bool> _stale = new(StringComparer.Ordinal);

    public async Task<T?> GetAsync<T>(ReadSite site, string? ns, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (site.Freshness == Freshness.Cached && caches.Store<T>() is { } store && !_stale.TryRemove(Key<T>(ns, name), out _))
        {
            return store.Get(ns, name);
        }

        return await client.Resource<T>().GetOrDefaultAsync(name, ns, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Objects of <paramref name="ns"/> with the label selector; <see cref="Freshness.Live"/> sites only (the operator lists pods, which it does not cache).</summary>
    public async Task<IReadOnlyList<T>> ListAsync<T>(ReadSite site, string? ns, string labelSelector, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (site.Freshness != Freshness.Live)
        {
            throw new InvalidOperationException($"{site} lists {typeof(T).Name}s, which are read live only.");
        }

        var items = new List<T>();
        await foreach (var item in client.Resource<T>().ListAllAsync(ns, new ListOptions { LabelSelector = labelSelector }, cancellationToken).ConfigureAwait(false))
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>A write conditional on this object's version failed with Conflict: its next cached read goes live.</summary>
    public void MarkStale<T>(string? ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (caches.Store<T>() is not null)
        {
            _stale[Key<T>(ns, name)] = true;
        }
    }

    private static string Key<T>(string? ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta> => $"{typeof(T).Name}/{InformerStore<T>.KeyOf(ns, name)}";
}
