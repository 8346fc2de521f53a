using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Http;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Storage;

namespace Parma.Testing.ApiServer.Apply;

/// <summary>One managedFields entry: who owns which fields, through which operation.</summary>
public sealed record ManagerEntry(string Manager, string Operation, string? Subresource, HashSet<string> Fields)
{
    /// <summary>When this manager last wrote, as read back; null for the manager writing now (stamped with the current time).</summary>
    public string? Time { get; init; }

    public bool SameManager(ManagerEntry other) =>
        Manager == other.Manager && Operation == other.Operation && Subresource == other.Subresource;
}

/// <summary>Reads and writes metadata.managedFields.</summary>
public static class ManagedFields
{
    public static List<ManagerEntry> Read(JsonObject obj)
    {
        var list = new List<ManagerEntry>();
        if (obj["metadata"]?["managedFields"] is JsonArray entries)
        {
            foreach (var entry in entries.OfType<JsonObject>())
            {
                list.Add(new ManagerEntry(
                    ObjectFields.Text(entry["manager"]) ?? "",
                    ObjectFields.Text(entry["operation"]) ?? "Update",
                    ObjectFields.Text(entry["subresource"]),
                    FieldSet.FromFieldsV1(entry["fieldsV1"]))
                {
                    Time = ObjectFields.Text(entry["time"]),
                });
            }
        }

        return list;
    }

    public static void Write(JsonObject obj, IEnumerable<ManagerEntry> entries)
    {
        var apiVersion = ObjectFields.Text(obj["apiVersion"]);
        var array = new JsonArray();
        foreach (var entry in entries.Where(e => e.Fields.Count > 0))
        {
            var item = new JsonObject
            {
                ["manager"] = entry.Manager,
                ["operation"] = entry.Operation,
                ["apiVersion"] = apiVersion,
                ["time"] = entry.Time ?? ObjectFields.Now(),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = FieldSet.ToFieldsV1(entry.Fields),
            };
            if (entry.Subresource is not null)
            {
                item["subresource"] = entry.Subresource;
            }

            array.Add(item);
        }

        var meta = ObjectFields.Metadata(obj);
        if (array.Count == 0)
        {
            meta.Remove("managedFields");
        }
        else
        {
            meta["managedFields"] = array;
        }
    }

    /// <summary>
    /// A non-apply write: the fields it changed become owned by <paramref name="manager"/> and leave other
    /// managers; fields that no longer exist leave everyone.
    /// </summary>
    public static void RecordUpdate(JsonObject updated, JsonObject? current, string? manager, string operation, string? subresource = null)
    {
        manager = string.IsNullOrEmpty(manager) ? "unknown" : manager;
        var includeStatus = subresource == "status";
        var now = FieldSet.Leaves(updated, includeStatus: true);
        var before = current is null ? [] : FieldSet.Leaves(current, includeStatus: true);
        var changed = now.Where(l => !before.TryGetValue(l.Key, out var old) || !JsonNode.DeepEquals(old, l.Value))
            .Select(l => l.Key)
            .Where(p => includeStatus || !p.StartsWith("status/", StringComparison.Ordinal) || current is null)
            .ToHashSet(StringComparer.Ordinal);
        var entries = current is null ? [] : Read(current);
        foreach (var entry in entries)
        {
            entry.Fields.RemoveWhere(p => changed.Contains(p) || !now.ContainsKey(p));
        }

        var self = new ManagerEntry(manager, operation, subresource, []);
        var existing = entries.FindIndex(e => e.SameManager(self));
        if (existing < 0)
        {
            entries.Add(self);
        }
        else if (changed.Count > 0)
        {
            // The writer's entry gets the time of this write; the others keep theirs.
            entries[existing] = entries[existing] with { Time = null };
        }

        entries[existing < 0 ? ^1 : existing].Fields.UnionWith(changed);
        Write(updated, entries);
    }
}
