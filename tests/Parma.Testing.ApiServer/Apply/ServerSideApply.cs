using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Http;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Storage;

namespace Parma.Testing.ApiServer.Apply;

/// <summary>
/// Server-side apply over leaf fields: conflicts with other managers that own a field set to a
/// different value (409 unless force), removal of fields the applier stopped applying and nobody else
/// owns, then the merge. Lists are atomic here (no merge by key).
/// </summary>
public static class ServerSideApply
{
    public static JsonObject Merge(ApiResource resource, JsonObject current, JsonObject applied, string manager, bool force)
    {
        var self = new ManagerEntry(manager, "Apply", null, []);
        var entries = ManagedFields.Read(current);
        var appliedLeaves = FieldSet.Leaves(applied, includeStatus: false);
        var conflicts = new List<(string Path, ManagerEntry Owner)>();
        foreach (var (path, value) in appliedLeaves)
        {
            foreach (var owner in entries.Where(e => !e.SameManager(self) && e.Fields.Contains(path)))
            {
                if (!JsonNode.DeepEquals(FieldSet.Get(current, path), value))
                {
                    conflicts.Add((path, owner));
                }
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            throw Conflict(resource, ObjectFields.Name(current)!, ObjectFields.Text(current["apiVersion"]) ?? resource.ApiVersion, conflicts);
        }

        foreach (var (path, owner) in conflicts)
        {
            owner.Fields.Remove(path);
        }

        var result = (JsonObject)current.DeepClone();
        var previous = entries.FirstOrDefault(e => e.SameManager(self));
        if (previous is not null)
        {
            foreach (var dropped in previous.Fields.Where(p => !appliedLeaves.ContainsKey(p)))
            {
                if (!entries.Any(e => !e.SameManager(self) && e.Fields.Contains(dropped)))
                {
                    FieldSet.Remove(result, dropped);
                }
            }

            entries.Remove(previous);
        }

        foreach (var (path, value) in appliedLeaves)
        {
            FieldSet.Set(result, path, value);
        }

        // A resourceVersion in the applied configuration makes the apply conditional.
        if (ObjectFields.Text(applied["metadata"]?["resourceVersion"]) is { } rv)
        {
            ObjectFields.Metadata(result)["resourceVersion"] = rv;
        }

        entries.Add(self with { Fields = [.. appliedLeaves.Keys] });
        ManagedFields.Write(result, entries);
        return result;
    }

    private static ApiError Conflict(ApiResource resource, string name, string apiVersion, List<(string Path, ManagerEntry Owner)> conflicts)
    {
        var causes = new JsonArray();
        var lines = new List<string>();
        foreach (var (path, owner) in conflicts)
        {
            var who = owner.Operation == "Apply" ? $"conflict with \"{owner.Manager}\"" : $"conflict with \"{owner.Manager}\" using {apiVersion}";
            var field = "." + path.Replace('/', '.');
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = who, ["field"] = field });
            lines.Add($"{who}: {field}");
        }

        var message = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: {lines[0]}"
            : $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        var details = new JsonObject { ["name"] = name };
        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = resource.Plural;
        details["causes"] = causes;
        return new ApiError(409, "Conflict", message, details);
    }
}
