using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Resources;

namespace Parma.Testing.ApiServer.Storage;

/// <summary>
/// The fixture's etcd: objects per resource, one global revision counter bumped by every write, a
/// bounded history of changes for watches, and compaction (after which old revisions answer 410).
/// Stored objects are never modified in place (writes replace them), so the history and watch events
/// share them; everything handed out to callers is a copy.
/// </summary>
public sealed class ObjectStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = [];
    private readonly Dictionary<string, ApiResource> _resources = [];
    private readonly List<StoredEvent> _history = [];
    private readonly List<Watcher> _watchers = [];
    private readonly List<Action<StoredEvent>> _observers = [];
    private long _revision = 100;
    private long _compacted = 100;

    public int HistoryLimit { get; set; } = 5000;

    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>The oldest revision a watch can still start from.</summary>
    public long CompactedRevision
    {
        get
        {
            lock (_gate)
            {
                return _compacted;
            }
        }
    }

    public JsonObject? Get(ApiResource resource, string? ns, string name)
    {
        lock (_gate)
        {
            return Bucket(resource).TryGetValue(Key(ns, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    /// <summary>Snapshot of the objects (in namespace/name order) and the revision it was taken at.</summary>
    /// <remarks><paramref name="filter"/> sees the stored objects read-only, so only matches are copied.</remarks>
    public (List<JsonObject> Items, long Revision) List(ApiResource resource, string? ns, Func<JsonObject, bool>? filter = null)
    {
        lock (_gate)
        {
            var items = Bucket(resource).Values
                .Where(o => (ns is null || ObjectFields.Namespace(o) == ns) && (filter is null || filter(o)))
                .Select(o => (JsonObject)o.DeepClone())
                .ToList();
            return (items, _revision);
        }
    }

    public List<(ApiResource Resource, JsonObject Object)> All(IEnumerable<ApiResource> resources)
    {
        lock (_gate)
        {
            return [.. resources.SelectMany(r => Bucket(r).Values.Select(o => (r, (JsonObject)o.DeepClone())))];
        }
    }

    /// <summary>Stores a new object; false if one with that name exists.</summary>
    public bool TryCreate(ApiResource resource, JsonObject obj)
    {
        lock (_gate)
        {
            var key = Key(ObjectFields.Namespace(obj), ObjectFields.Name(obj)!);
            var bucket = Bucket(resource);
            if (bucket.ContainsKey(key))
            {
                return false;
            }

            ObjectFields.SetResourceVersion(obj, ++_revision);
            var stored = (JsonObject)obj.DeepClone();
            bucket[key] = stored;
            Publish(new StoredEvent(_revision, "ADDED", resource, stored, null));
            return true;
        }
    }

    /// <summary>Replaces the object if it is still at <paramref name="expectedRevision"/>; false if it changed or vanished.</summary>
    public bool TryUpdate(ApiResource resource, JsonObject obj, long expectedRevision)
    {
        lock (_gate)
        {
            var key = Key(ObjectFields.Namespace(obj), ObjectFields.Name(obj)!);
            var bucket = Bucket(resource);
            if (!bucket.TryGetValue(key, out var current) || ObjectFields.ResourceVersion(current) != expectedRevision)
            {
                return false;
            }

            ObjectFields.SetResourceVersion(obj, ++_revision);
            var stored = (JsonObject)obj.DeepClone();
            bucket[key] = stored;
            Publish(new StoredEvent(_revision, "MODIFIED", resource, stored, current));
            return true;
        }
    }

    /// <summary>Removes the object if it is still at <paramref name="expectedRevision"/>; returns it as last seen (with the deletion's revision).</summary>
    public JsonObject? TryRemove(ApiResource resource, string? ns, string name, long expectedRevision)
    {
        lock (_gate)
        {
            var bucket = Bucket(resource);
            var key = Key(ns, name);
            if (!bucket.TryGetValue(key, out var current) || ObjectFields.ResourceVersion(current) != expectedRevision)
            {
                return null;
            }

            bucket.Remove(key);
            var gone = (JsonObject)current.DeepClone();
            ObjectFields.SetResourceVersion(gone, ++_revision);
            Publish(new StoredEvent(_revision, "DELETED", resource, (JsonObject)gone.DeepClone(), current));
            return gone;
        }
    }

    /// <summary>Forgets all history: watches from any earlier revision now get 410 Gone.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _compacted = _revision;
        }
    }

    /// <summary>
    /// Registers a watcher and queues what it must see first: the current objects as ADDED when
    /// <paramref name="fromRevision"/> is null (or 0), else the recorded changes after that revision.
    /// Returns false (and registers nothing) if that revision was compacted away.
    /// </summary>
    public bool TrySubscribe(Watcher watcher, long? fromRevision)
    {
        lock (_gate)
        {
            if (fromRevision is null or 0)
            {
                foreach (var obj in Bucket(watcher.Resource).Values)
                {
                    if ((watcher.Namespace is null || ObjectFields.Namespace(obj) == watcher.Namespace) && watcher.Matches(obj))
                    {
                        watcher.Events.Writer.TryWrite(new WatchEvent("ADDED", obj));
                    }
                }
            }
            else
            {
                if (fromRevision < _compacted)
                {
                    return false;
                }

                foreach (var change in _history.Where(h => h.Revision > fromRevision))
                {
                    if (watcher.Translate(change) is { } seen)
                    {
                        watcher.Events.Writer.TryWrite(new WatchEvent(seen.Type, seen.Object));
                    }
                }
            }

            _watchers.Add(watcher);
            return true;
        }
    }

    /// <summary>
    /// Calls <paramref name="observer"/> with every stored object (as ADDED) and then, synchronously
    /// and under the store's lock, with every change; it must be quick and must not call the store.
    /// </summary>
    public void Observe(Action<StoredEvent> observer)
    {
        lock (_gate)
        {
            foreach (var (key, bucket) in _objects)
            {
                foreach (var obj in bucket.Values)
                {
                    observer(new StoredEvent(ObjectFields.ResourceVersion(obj), "ADDED", _resources[key], obj, null));
                }
            }

            _observers.Add(observer);
        }
    }

    public void Unsubscribe(Watcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
        }

        watcher.Events.Writer.TryComplete();
    }

    private void Publish(StoredEvent change)
    {
        _history.Add(change);
        if (_history.Count > HistoryLimit)
        {
            var drop = _history.Count - HistoryLimit;
            _compacted = _history[drop - 1].Revision;
            _history.RemoveRange(0, drop);
        }

        foreach (var observer in _observers)
        {
            observer(change);
        }

        // Watchers that see the change the same way (nearly always all of them) share one serialisation.
        WatchEvent? added = null, modified = null, deleted = null;
        foreach (var watcher in _watchers)
        {
            if (watcher.Translate(change) is { } seen)
            {
                var line = seen.Type switch
                {
                    "ADDED" => added ??= new WatchEvent("ADDED", seen.Object),
                    "MODIFIED" => modified ??= new WatchEvent("MODIFIED", seen.Object),
                    _ => deleted ??= new WatchEvent(seen.Type, seen.Object),
                };
                watcher.Events.Writer.TryWrite(line);
            }
        }
    }

    private SortedDictionary<string, JsonObject> Bucket(ApiResource resource)
    {
        if (!_objects.TryGetValue(resource.StoreKey, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[resource.StoreKey] = bucket;
            _resources[resource.StoreKey] = resource;
        }

        return bucket;
    }

    private static string Key(string? ns, string name) => $"{ns}/{name}";
}
