namespace Parma.Rego;

/// <summary>RFC 6902 JSON Patch over Rego values: add, remove, replace, move, copy, test. All-or-nothing.</summary>
public static class JsonPatch
{
    /// <summary>Applies the ops (an array of {"op","path",…}) and returns the new document; the input is unchanged.</summary>
    public static Value Apply(Value document, Value ops)
    {
        if (ops is not ArrayValue list)
        {
            throw Fail("patch must be an array of operations");
        }

        var current = document;
        for (var i = 0; i < list.Count; i++)
        {
            current = ApplyOne(current, list.Elements[i], i);
        }

        return current;
    }

    private static RegoException Fail(string message) => new(RegoException.Codes.BuiltinError, "json patch: " + message);

    private static Value ApplyOne(Value document, Value op, int index)
    {
        string Field(string name) => op[name] is StringValue s ? s.Text : throw Fail($"operation {index} needs a string \"{name}\"");
        var kind = Field("op");
        var path = Pointer(Field("path"), index);
        switch (kind)
        {
            case "add":
                return Add(document, path, op["value"] ?? throw Fail($"operation {index} (add) needs \"value\""), index);
            case "remove":
                return Remove(document, path, index, out _);
            case "replace":
            {
                var value = op["value"] ?? throw Fail($"operation {index} (replace) needs \"value\"");
                if (path.Length == 0)
                {
                    return value;
                }

                var removed = Remove(document, path, index, out _);
                return Add(removed, path, value, index);
            }

            case "move":
            {
                var from = Pointer(Field("from"), index);
                if (from.Length < path.Length && path.AsSpan(0, from.Length).SequenceEqual(from))
                {
                    throw Fail($"operation {index} (move) cannot move a value into itself");
                }

                var removed = Remove(document, from, index, out var moved);
                return Add(removed, path, moved, index);
            }

            case "copy":
            {
                var from = Pointer(Field("from"), index);
                return Add(document, path, Get(document, from) ?? throw Fail($"operation {index} (copy): path {Field("from")} does not exist"), index);
            }

            case "test":
            {
                var expected = op["value"] ?? throw Fail($"operation {index} (test) needs \"value\"");
                var actual = Get(document, path);
                return actual is not null && actual.Equals(expected) ? document : throw Fail($"operation {index} (test) failed at {Field("path")}");
            }

            default:
                throw Fail($"operation {index} has unknown op \"{kind}\"");
        }
    }

    private static string[] Pointer(string pointer, int index)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw Fail($"operation {index}: path \"{pointer}\" must start with '/'");
        }

        return pointer[1..].Split('/').Select(p => p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
    }

    private static Value? Get(Value document, ReadOnlySpan<string> path)
    {
        var current = document;
        foreach (var part in path)
        {
            Value? next = current switch
            {
                ObjectValue o => o[part],
                ArrayValue a when int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) && i >= 0 && i < a.Count && (part == "0" || part[0] != '0') => a.Elements[i],
                _ => null,
            };
            if (next is null)
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    private static Value Add(Value document, ReadOnlySpan<string> path, Value value, int index)
    {
        if (path.Length == 0)
        {
            return value;
        }

        var key = path[0];
        switch (document)
        {
            case ObjectValue o:
            {
                var k = Value.String(key);
                return path.Length == 1
                    ? o.With(k, value)
                    : o.With(k, Add(o[k] ?? throw Fail($"operation {index}: path segment \"{key}\" does not exist"), path[1..], value, index));
            }

            case ArrayValue a:
            {
                var items = a.Elements.ToList();
                if (path.Length == 1)
                {
                    var at = key == "-" ? items.Count : ArrayIndex(key, items.Count + 1, index);
                    items.Insert(at, value);
                }
                else
                {
                    var at = ArrayIndex(key, items.Count, index);
                    items[at] = Add(items[at], path[1..], value, index);
                }

                return Value.Array(items);
            }

            default:
                throw Fail($"operation {index}: cannot add under a {document.Kind.ToString().ToLowerInvariant()}");
        }
    }

    private static Value Remove(Value document, ReadOnlySpan<string> path, int index, out Value removed)
    {
        if (path.Length == 0)
        {
            throw Fail($"operation {index}: cannot remove the whole document");
        }

        var key = path[0];
        switch (document)
        {
            case ObjectValue o:
            {
                var k = Value.String(key);
                var child = o[k] ?? throw Fail($"operation {index}: path segment \"{key}\" does not exist");
                if (path.Length == 1)
                {
                    removed = child;
                    return o.Without(k);
                }

                return o.With(k, Remove(child, path[1..], index, out removed));
            }

            case ArrayValue a:
            {
                var items = a.Elements.ToList();
                var at = ArrayIndex(key, items.Count, index);
                if (path.Length == 1)
                {
                    removed = items[at];
                    items.RemoveAt(at);
                }
                else
                {
                    items[at] = Remove(items[at], path[1..], index, out removed);
                }

                return Value.Array(items);
            }

            default:
                throw Fail($"operation {index}: path segment \"{key}\" does not exist");
        }
    }

    private static int ArrayIndex(string key, int limit, int index)
    {
        if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) || (key.Length > 1 && key[0] == '0') || i >= limit)
        {
            throw Fail($"operation {index}: invalid array index \"{key}\"");
        }

        return i;
    }
}
