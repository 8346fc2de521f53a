using System.Text.Json.Nodes;

namespace Parma.Testing.ApiServer.Apply;

/// <summary>
/// The leaf fields of an object as paths ("spec/replicas", "metadata/labels/app"), with their values.
/// Lists are atomic (owned as a whole). Server-owned metadata is not tracked.
/// </summary>
public static class FieldSet
{
    private static readonly HashSet<string> UntrackedMetadata =
        ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "generateName"];

    public static Dictionary<string, JsonNode?> Leaves(JsonObject obj, bool includeStatus)
    {
        var leaves = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, child) in obj)
        {
            if (key is "apiVersion" or "kind" || (key == "status" && !includeStatus))
            {
                continue;
            }

            if (key == "metadata" && child is JsonObject meta)
            {
                foreach (var (metaKey, metaChild) in meta)
                {
                    if (!UntrackedMetadata.Contains(metaKey))
                    {
                        Walk(metaChild, $"metadata/{metaKey}", leaves);
                    }
                }

                continue;
            }

            Walk(child, key, leaves);
        }

        return leaves;
    }

    public static JsonNode? Get(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('/'))
        {
            node = (node as JsonObject)?[part];
        }

        return node;
    }

    public static void Set(JsonObject obj, string path, JsonNode? value)
    {
        var parts = path.Split('/');
        var node = obj;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                child = [];
                node[part] = child;
            }

            node = child;
        }

        node[parts[^1]] = value?.DeepClone();
    }

    public static void Remove(JsonObject obj, string path)
    {
        var parts = path.Split('/');
        var node = obj;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child)
            {
                return;
            }

            node = child;
        }

        node.Remove(parts[^1]);
    }

    /// <summary>managedFields' FieldsV1 trie: {"f:spec":{"f:replicas":{}}}.</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.OrderBy(p => p, StringComparer.Ordinal))
        {
            var node = root;
            foreach (var part in path.Split('/'))
            {
                var key = "f:" + part;
                if (node[key] is not JsonObject child)
                {
                    child = [];
                    node[key] = child;
                }

                node = child;
            }
        }

        return root;
    }

    public static HashSet<string> FromFieldsV1(JsonNode? trie)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonObject node, string prefix)
        {
            var any = false;
            foreach (var (key, child) in node)
            {
                if (!key.StartsWith("f:", StringComparison.Ordinal) || child is not JsonObject childObject)
                {
                    continue;
                }

                any = true;
                Walk(childObject, prefix.Length == 0 ? key[2..] : $"{prefix}/{key[2..]}");
            }

            if (!any && prefix.Length > 0)
            {
                paths.Add(prefix);
            }
        }

        if (trie is JsonObject rootObject)
        {
            Walk(rootObject, "");
        }

        return paths;
    }

    private static void Walk(JsonNode? node, string path, Dictionary<string, JsonNode?> leaves)
    {
        if (node is JsonObject obj && obj.Count > 0)
        {
            foreach (var (key, child) in obj)
            {
                Walk(child, $"{path}/{key}", leaves);
            }

            return;
        }

        leaves[path] = node;
    }
}
