using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Parma.Kube.Informers;

/// <summary>The informer's local cache: objects by "namespace/name", plus named secondary indexes.</summary>
public sealed class InformerStore<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public const string NamespaceIndex = "namespace";

    private readonly ConcurrentDictionary<string, T> _items = new();
    private readonly ConcurrentDictionary<string, Func<T, IEnumerable<string>>> _indexers = new();
    private readonly Lock _indexGate = new();
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _indexes = [];

    public InformerStore()
    {
        AddIndex(NamespaceIndex, o => [o.Metadata.NamespaceProperty ?? ""]);
    }

    public int Count => _items.Count;

    public static string KeyOf(T obj) => KeyOf(obj.Metadata.NamespaceProperty, obj.Metadata.Name ?? "");

    public static string KeyOf(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : $"{ns}/{name}";

    /// <summary>Adds an index; add indexes before the informer starts.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> indexer)
    {
        _indexers[name] = indexer;
        lock (_indexGate)
        {
            _indexes[name] = [];
            foreach (var (key, item) in _items)
            {
                IndexOne(name, indexer, key, item);
            }
        }
    }

    public T? Get(string? ns, string name) => _items.TryGetValue(KeyOf(ns, name), out var item) ? item : null;

    public IReadOnlyList<T> List() => [.. _items.Values];

    public IReadOnlyList<T> ByIndex(string index, string value)
    {
        lock (_indexGate)
        {
            if (!_indexes.TryGetValue(index, out var byValue))
            {
                throw new ArgumentException($"No index named \"{index}\".", nameof(index));
            }

            return byValue.TryGetValue(value, out var keys)
                ? [.. keys.Select(k => _items.TryGetValue(k, out var item) ? item : null).OfType<T>()]
                : [];
        }
    }

    internal T? Upsert(T obj)
    {
        var key = KeyOf(obj);
        lock (_indexGate)
        {
            _items.TryGetValue(key, out var old);
            if (old is not null)
            {
                Unindex(key, old);
            }

            _items[key] = obj;
            foreach (var (name, indexer) in _indexers)
            {
                IndexOne(name, indexer, key, obj);
            }

            return old;
        }
    }

    internal T? Remove(T obj)
    {
        var key = KeyOf(obj);
        lock (_indexGate)
        {
            if (!_items.TryRemove(key, out var old))
            {
                return null;
            }

            Unindex(key, old);
            return old;
        }
    }

    private void IndexOne(string name, Func<T, IEnumerable<string>> indexer, string key, T obj)
    {
        var byValue = _indexes[name];
        foreach (var value in indexer(obj))
        {
            if (!byValue.TryGetValue(value, out var keys))
            {
                keys = [];
                byValue[value] = keys;
            }

            keys.Add(key);
        }
    }

    private void Unindex(string key, T old)
    {
        foreach (var (name, indexer) in _indexers)
        {
            var byValue = _indexes[name];
            foreach (var value in indexer(old))
            {
                if (byValue.TryGetValue(value, out var keys))
                {
                    keys.Remove(key);
                    if (keys.Count == 0)
                    {
                        byValue.Remove(value);
                    }
                }
            }
        }
    }
}
