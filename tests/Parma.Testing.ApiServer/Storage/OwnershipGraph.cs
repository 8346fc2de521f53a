using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Resources;

namespace Parma.Testing.ApiServer.Storage;

/// <summary>What the garbage collector knows of one stored object: where it is, and its deletion and ownership metadata.</summary>
internal sealed record GraphNode(
    ApiResource Resource, string? Namespace, string Name, string Uid, bool Deleting, IReadOnlyList<string> Finalizers, IReadOnlyList<OwnerLink> Owners)
{
    public bool IsNamespace => Resource.Kind == "Namespace" && Resource.Group.Length == 0;

    public static GraphNode? From(ApiResource resource, JsonObject obj)
    {
        if (ObjectFields.Uid(obj) is not { } uid || ObjectFields.Name(obj) is not { } name)
        {
            return null;
        }

        var owners = obj["metadata"]?["ownerReferences"] is JsonArray refs
            ? refs.OfType<JsonObject>()
                .Select(o => new OwnerLink(ObjectFields.Text(o["uid"]) ?? "", o["blockOwnerDeletion"] is JsonValue b && b.TryGetValue<bool>(out var block) && block))
                .ToList()
            : [];
        return new GraphNode(resource, resource.Namespaced ? ObjectFields.Namespace(obj) : null, name, uid, ObjectFields.IsDeleting(obj), ObjectFields.Finalizers(obj), owners);
    }
}

internal readonly record struct OwnerLink(string Uid, bool BlockOwnerDeletion);

/// <summary>
/// The garbage collector's view of the store, kept up to date from every stored change (as kube's GC
/// builds its graph from watch events): objects by uid, dependents by owner uid, content by namespace,
/// and a queue of objects whose ownership or deletion state changed and must be looked at.
/// </summary>
internal sealed class OwnershipGraph
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, GraphNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _dependents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _byNamespace = new(StringComparer.Ordinal);
    private readonly HashSet<string> _liveNamespaces = new(StringComparer.Ordinal);
    private readonly Queue<string> _dirty = new();
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);

    /// <summary>Called by the store, under its lock, for every change (so this must not call back into the store).</summary>
    public void Apply(StoredEvent change)
    {
        if (GraphNode.From(change.Resource, change.Object) is not { } node)
        {
            return;
        }

        lock (_gate)
        {
            _nodes.TryGetValue(node.Uid, out var old);
            if (change.Type == "DELETED")
            {
                Unlink(old ?? node);
                _nodes.Remove(node.Uid);
                MarkAll(_dependents.GetValueOrDefault(node.Uid));
                MarkOwners(old ?? node);
                if (node.IsNamespace && _liveNamespaces.Remove(node.Name))
                {
                    MarkAll(_byNamespace.GetValueOrDefault(node.Name));
                }

                return;
            }

            if (old is not null)
            {
                Unlink(old);
            }

            _nodes[node.Uid] = node;
            Link(node);
            if (node.Owners.Count > 0 || node.Deleting || (node.Namespace is not null && !_liveNamespaces.Contains(node.Namespace)))
            {
                Mark(node.Uid);
            }

            // A foreground deletion waits for dependents: a new, re-owned or vanishing dependent wakes its owners.
            if (old is null || !old.Owners.SequenceEqual(node.Owners))
            {
                MarkOwners(node);
                if (old is not null)
                {
                    MarkOwners(old);
                }
            }

            if (node.IsNamespace)
            {
                if (!node.Deleting)
                {
                    _liveNamespaces.Add(node.Name);
                }
                else if (_liveNamespaces.Remove(node.Name))
                {
                    MarkAll(_byNamespace.GetValueOrDefault(node.Name));
                }
            }
        }
    }

    /// <summary>Looks at the object again later (a write the collector made for it lost a race).</summary>
    public void Requeue(string uid)
    {
        lock (_gate)
        {
            Mark(uid);
        }
    }

    public bool TryTakeDirty(out string uid)
    {
        lock (_gate)
        {
            if (_dirty.TryDequeue(out uid!))
            {
                _queued.Remove(uid);
                return true;
            }

            return false;
        }
    }

    /// <summary>The object, its dependents, whether its namespace is live, and whether all of its owners are gone.</summary>
    public (GraphNode Node, List<GraphNode> Dependents, bool NamespaceLive, bool Orphaned)? Snapshot(string uid)
    {
        lock (_gate)
        {
            if (!_nodes.TryGetValue(uid, out var node))
            {
                return null;
            }

            var dependents = _dependents.TryGetValue(uid, out var set)
                ? set.Select(d => _nodes.GetValueOrDefault(d)).OfType<GraphNode>().ToList()
                : [];
            var namespaceLive = node.Namespace is null || _liveNamespaces.Contains(node.Namespace);
            var orphaned = node.Owners.Count > 0 && node.Owners.All(o => !_nodes.ContainsKey(o.Uid));
            return (node, dependents, namespaceLive, orphaned);
        }
    }

    private void Link(GraphNode node)
    {
        foreach (var owner in node.Owners)
        {
            Set(_dependents, owner.Uid).Add(node.Uid);
        }

        if (node.Namespace is not null)
        {
            Set(_byNamespace, node.Namespace).Add(node.Uid);
        }
    }

    private void Unlink(GraphNode node)
    {
        foreach (var owner in node.Owners)
        {
            Drop(_dependents, owner.Uid, node.Uid);
        }

        if (node.Namespace is not null)
        {
            Drop(_byNamespace, node.Namespace, node.Uid);
        }
    }

    private void MarkOwners(GraphNode node)
    {
        foreach (var owner in node.Owners)
        {
            Mark(owner.Uid);
        }
    }

    private void MarkAll(HashSet<string>? uids)
    {
        foreach (var uid in uids ?? [])
        {
            Mark(uid);
        }
    }

    private void Mark(string uid)
    {
        if (_queued.Add(uid))
        {
            _dirty.Enqueue(uid);
        }
    }

    private static HashSet<string> Set(Dictionary<string, HashSet<string>> index, string key)
    {
        if (!index.TryGetValue(key, out var set))
        {
            set = new HashSet<string>(StringComparer.Ordinal);
            index[key] = set;
        }

        return set;
    }

    private static void Drop(Dictionary<string, HashSet<string>> index, string key, string uid)
    {
        if (index.TryGetValue(key, out var set) && set.Remove(uid) && set.Count == 0)
        {
            index.Remove(key);
        }
    }
}
