using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Http;

namespace Parma.Testing.ApiServer.Storage;

/// <summary>
/// The garbage collector, the orphan/foreground finalizers and the namespace controller, run
/// synchronously after writes. Like kube's GC it is driven by changes: the <see cref="OwnershipGraph"/>
/// follows every stored change and queues only the objects it concerns (an object whose owners or
/// deletion state changed, the dependents of a removed owner, the owners of a changed dependent, the
/// content of a namespace being deleted), so a write costs the same however many objects are stored.
/// Dependents whose owners are all gone are deleted (background); owners being deleted with "orphan"
/// release their dependents; owners with "foregroundDeletion" wait until blocking dependents are gone.
/// </summary>
public sealed class GarbageCollector
{
    /// <summary>A bound on one drain, so that a bug cannot spin a request forever.</summary>
    private const int MaxExaminations = 1_000_000;

    private readonly ServerState _state;
    private readonly OwnershipGraph _graph = new();
    private readonly Lock _drain = new();

    public GarbageCollector(ServerState state)
    {
        _state = state;
        state.Store.Observe(_graph.Apply);
    }

    public WriteHandlers? Writer { get; set; }

    /// <summary>Processes every queued object (including what its own writes queue) before returning.</summary>
    public void Collect()
    {
        if (Writer is null)
        {
            return;
        }

        lock (_drain)
        {
            for (var i = 0; i < MaxExaminations && _graph.TryTakeDirty(out var uid); i++)
            {
                Examine(Writer, uid);
            }
        }
    }

    private void Examine(WriteHandlers writer, string uid)
    {
        if (_graph.Snapshot(uid) is not var (node, dependents, namespaceLive, orphaned))
        {
            return;
        }

        // The namespace controller: content of a deleted namespace is deleted.
        if (!namespaceLive && !node.Deleting)
        {
            if (Load(node) is { } obj)
            {
                writer.MarkOrRemove(node.Resource, obj, "Background");
            }

            return;
        }

        if (node.Deleting && node.Finalizers.Contains("orphan"))
        {
            foreach (var dependent in dependents)
            {
                if (Load(dependent) is not { } current)
                {
                    continue;
                }

                var released = (JsonObject)current.DeepClone();
                var remaining = new JsonArray([.. Owners(released).Where(o => ObjectFields.Text(o["uid"]) != uid).Select(o => o.DeepClone())]);
                SetOwners(released, remaining);
                if (writer.Commit(dependent.Resource, released, ObjectFields.ResourceVersion(current)) is null)
                {
                    // The dependent changed meanwhile: release it on the next look, before the owner goes.
                    _graph.Requeue(uid);
                    return;
                }
            }

            RemoveFinalizer(writer, node, "orphan");
            return;
        }

        if (node.Deleting && node.Finalizers.Contains("foregroundDeletion"))
        {
            foreach (var dependent in dependents.Where(d => !d.Deleting))
            {
                if (Load(dependent) is { } current && writer.MarkOrRemove(dependent.Resource, current, "Foreground") is null)
                {
                    _graph.Requeue(uid);
                }
            }

            var blocking = dependents.Any(d => d.Owners.Any(o => o.Uid == uid && o.BlockOwnerDeletion));
            if (!blocking)
            {
                RemoveFinalizer(writer, node, "foregroundDeletion");
            }

            return;
        }

        if (orphaned && !node.Deleting && Load(node) is { } owned)
        {
            writer.MarkOrRemove(node.Resource, owned, "Background");
        }
    }

    /// <summary>The stored object the node describes, or null if it is gone or was replaced by a namesake.</summary>
    private JsonObject? Load(GraphNode node) =>
        _state.Store.Get(node.Resource, node.Namespace, node.Name) is { } obj && ObjectFields.Uid(obj) == node.Uid ? obj : null;

    private void RemoveFinalizer(WriteHandlers writer, GraphNode node, string finalizer)
    {
        if (Load(node) is not { } obj)
        {
            return;
        }

        var updated = (JsonObject)obj.DeepClone();
        var remaining = ObjectFields.Finalizers(obj).Where(f => f != finalizer).Select(f => (JsonNode)f).ToArray();
        ObjectFields.Metadata(updated)["finalizers"] = new JsonArray(remaining);
        if (remaining.Length == 0)
        {
            ObjectFields.Metadata(updated).Remove("finalizers");
        }

        writer.Commit(node.Resource, updated, ObjectFields.ResourceVersion(obj));
    }

    private static IEnumerable<JsonObject> Owners(JsonObject obj) =>
        obj["metadata"]?["ownerReferences"] is JsonArray refs ? refs.OfType<JsonObject>() : [];

    private static void SetOwners(JsonObject obj, JsonArray owners)
    {
        if (owners.Count == 0)
        {
            ObjectFields.Metadata(obj).Remove("ownerReferences");
        }
        else
        {
            ObjectFields.Metadata(obj)["ownerReferences"] = owners;
        }
    }
}
