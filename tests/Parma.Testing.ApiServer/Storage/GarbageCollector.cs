using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Http;
using Parma.Testing.ApiServer.Resources;

namespace Parma.Testing.ApiServer.Storage;

/// <summary>
/// The garbage collector and the orphan/foreground finalizers, run synchronously after writes:
/// dependents whose owners are all gone are deleted (background); owners being deleted with
/// "orphan" release their dependents; owners with "foregroundDeletion" wait until dependents are gone.
/// </summary>
public sealed class GarbageCollector(ServerState state)
{
    private readonly AsyncLocal<bool> _running = new();

    public WriteHandlers? Writer { get; set; }

    public void Collect()
    {
        if (_running.Value || Writer is null)
        {
            return;
        }

        _running.Value = true;
        try
        {
            for (var round = 0; round < 100 && Pass(); round++)
            {
            }
        }
        finally
        {
            _running.Value = false;
        }
    }

    /// <summary>One sweep; true if it changed anything.</summary>
    private bool Pass()
    {
        var all = state.Store.All(state.Catalog.All.DistinctBy(r => r.StoreKey));
        var byUid = all.Where(o => ObjectFields.Uid(o.Object) is not null).ToDictionary(o => ObjectFields.Uid(o.Object)!, o => o);
        var changed = false;
        var liveNamespaces = all.Where(o => o.Resource.Kind == "Namespace" && o.Resource.Group.Length == 0 && !ObjectFields.IsDeleting(o.Object))
            .Select(o => ObjectFields.Name(o.Object))
            .ToHashSet();
        foreach (var (resource, obj) in all)
        {
            // The namespace controller: content of a deleted namespace is deleted.
            if (resource.Namespaced && !liveNamespaces.Contains(ObjectFields.Namespace(obj)) && !ObjectFields.IsDeleting(obj))
            {
                changed |= Writer!.MarkOrRemove(resource, obj, "Background") is not null;
                continue;
            }

            var uid = ObjectFields.Uid(obj)!;
            var finalizers = ObjectFields.Finalizers(obj);
            var dependents = all.Where(d => Owners(d.Object).Any(o => ObjectFields.Text(o["uid"]) == uid)).ToList();
            if (ObjectFields.IsDeleting(obj) && finalizers.Contains("orphan"))
            {
                foreach (var (dependentResource, dependent) in dependents)
                {
                    var released = (JsonObject)dependent.DeepClone();
                    var remaining = new JsonArray([.. Owners(released).Where(o => ObjectFields.Text(o["uid"]) != uid).Select(o => o.DeepClone())]);
                    SetOwners(released, remaining);
                    changed |= Writer!.Commit(dependentResource, released, ObjectFields.ResourceVersion(dependent)) is not null;
                }

                changed |= RemoveFinalizer(resource, obj, "orphan");
                continue;
            }

            if (ObjectFields.IsDeleting(obj) && finalizers.Contains("foregroundDeletion"))
            {
                foreach (var (dependentResource, dependent) in dependents.Where(d => !ObjectFields.IsDeleting(d.Object)))
                {
                    changed |= Writer!.MarkOrRemove(dependentResource, dependent, "Foreground") is not null;
                }

                var blocking = dependents.Any(d => Owners(d.Object).Any(o => ObjectFields.Text(o["uid"]) == uid && o["blockOwnerDeletion"] is JsonValue b && b.GetValue<bool>()));
                if (!blocking)
                {
                    changed |= RemoveFinalizer(resource, obj, "foregroundDeletion");
                }

                continue;
            }

            var owners = Owners(obj).ToList();
            if (owners.Count > 0 && !ObjectFields.IsDeleting(obj) && owners.All(o => !byUid.ContainsKey(ObjectFields.Text(o["uid"]) ?? "")))
            {
                changed |= Writer!.MarkOrRemove(resource, obj, "Background") is not null;
            }
        }

        return changed;
    }

    private bool RemoveFinalizer(ApiResource resource, JsonObject obj, string finalizer)
    {
        var updated = (JsonObject)obj.DeepClone();
        var remaining = ObjectFields.Finalizers(obj).Where(f => f != finalizer).Select(f => (JsonNode)f).ToArray();
        ObjectFields.Metadata(updated)["finalizers"] = new JsonArray(remaining);
        if (remaining.Length == 0)
        {
            ObjectFields.Metadata(updated).Remove("finalizers");
        }

        return Writer!.Commit(resource, updated, ObjectFields.ResourceVersion(obj)) is not null;
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
