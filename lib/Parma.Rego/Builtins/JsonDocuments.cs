using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>json.filter, json.remove, json.patch and json.marshal_with_options.</summary>
internal static class JsonDocuments
{
    public static void Register(Registrar add)
    {
        add("json.filter", 2, a =>
        {
            var doc = Args.Obj("json.filter", a, 0);
            var tree = PathTree("json.filter", a, 1);
            return Filter(doc, tree) ?? Value.EmptyObject;
        });
        add("json.remove", 2, a =>
        {
            var doc = Args.Obj("json.remove", a, 0);
            var tree = PathTree("json.remove", a, 1);
            return Remove(doc, tree);
        });
        add("json.patch", 2, a =>
        {
            var ops = Args.Arr("json.patch", a, 1);
            var normalized = new List<Value>(ops.Items.Length);
            foreach (var op in ops.Items)
            {
                if (op is not ObjectValue o)
                {
                    throw Args.TypeError("json.patch", 2, "array of objects", a[1]);
                }

                normalized.Add(Normalize(o));
            }

            try
            {
                return JsonPatch.Apply(a[0], Value.Array(normalized));
            }
            catch (RegoException e) when (e.Code == RegoException.Codes.BuiltinError)
            {
                // OPA applies patches atomically: when one fails the result is undefined.
                return null;
            }
        });
        add("json.marshal_with_options", 2, a =>
        {
            var options = Args.Obj("json.marshal_with_options", a, 1);
            string? prefix = null, indent = null;
            bool? pretty = null;
            foreach (var (key, value) in options.Pairs.Select(p => (p.Key, p.Value)))
            {
                switch (key is StringValue k ? k.Text : null)
                {
                    case "prefix":
                        prefix = value is StringValue ps ? ps.Text : throw Args.Error("json.marshal_with_options", "prefix must be a string");
                        break;
                    case "indent":
                        indent = value is StringValue ins ? ins.Text : throw Args.Error("json.marshal_with_options", "indent must be a string");
                        break;
                    case "pretty":
                        pretty = value is BooleanValue b ? b.BoolValue : throw Args.Error("json.marshal_with_options", "pretty must be a boolean");
                        break;
                    default:
                        throw Args.Error("json.marshal_with_options", $"object contained unknown key {key.ToJson()}");
                }
            }

            var indented = pretty ?? (prefix is not null || indent is not null);
            if (!indented)
            {
                return Value.String(a[0].ToJson());
            }

            var sb = new StringBuilder();
            WriteIndented(sb, a[0], prefix ?? string.Empty, indent ?? "\t", 0);
            return Value.String(sb.ToString());
        });
    }

    /// <summary>Paths as "a/b/c" strings or ["a", "b"] arrays, merged into a tree (a null leaf ends a path).</summary>
    private static Dictionary<Value, object?> PathTree(string name, Value[] a, int i)
    {
        var tree = new Dictionary<Value, object?>();
        foreach (var path in Args.Collection(name, a, i))
        {
            Value[] segments = path switch
            {
                StringValue s => s.Text.TrimStart('/').Split('/').Select(p => (Value)Value.String(p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))).ToArray(),
                ArrayValue arr => arr.Items,
                _ => throw Args.TypeError(name, i + 1, "set or array of strings or arrays", path),
            };
            var node = tree;
            for (var j = 0; j < segments.Length; j++)
            {
                var key = segments[j];
                if (j == segments.Length - 1)
                {
                    node[key] = null;
                    break;
                }

                if (node.TryGetValue(key, out var next) && next is null)
                {
                    break;
                }

                if (next is not Dictionary<Value, object?> child)
                {
                    child = new Dictionary<Value, object?>();
                    node[key] = child;
                }

                node = child;
            }
        }

        return tree;
    }

    /// <summary>The child of a collection by a path segment; array indices may be written as strings.</summary>
    private static bool Matches(Value key, int index) =>
        key is NumberValue n ? n.TryGetInt(out var i) && i == index : key is StringValue s && s.Text == index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Value? Filter(Value value, Dictionary<Value, object?> tree)
    {
        switch (value)
        {
            case ObjectValue o:
            {
                var pairs = new List<KeyValuePair<Value, Value>>();
                foreach (var (key, sub) in tree)
                {
                    if (o[key] is not { } child)
                    {
                        continue;
                    }

                    var kept = sub is Dictionary<Value, object?> subtree ? Filter(child, subtree) : child;
                    if (kept is not null)
                    {
                        pairs.Add(new(key, kept));
                    }
                }

                return Value.Object(pairs);
            }

            case ArrayValue arr:
            {
                var items = new List<Value>();
                for (var i = 0; i < arr.Items.Length; i++)
                {
                    foreach (var (key, sub) in tree)
                    {
                        if (Matches(key, i))
                        {
                            var kept = sub is Dictionary<Value, object?> subtree ? Filter(arr.Items[i], subtree) : arr.Items[i];
                            if (kept is not null)
                            {
                                items.Add(kept);
                            }

                            break;
                        }
                    }
                }

                return Value.Array(items);
            }

            case SetValue set:
                return Value.Set(set.Items.Where(tree.ContainsKey).Select(v => tree[v] is Dictionary<Value, object?> subtree ? Filter(v, subtree) : v).OfType<Value>());
            default:
                return null;
        }
    }

    private static Value Remove(Value value, Dictionary<Value, object?> tree)
    {
        switch (value)
        {
            case ObjectValue o:
            {
                var pairs = new List<KeyValuePair<Value, Value>>();
                foreach (var (key, child) in o.Pairs.Select(p => (p.Key, p.Value)))
                {
                    if (!tree.TryGetValue(key, out var sub))
                    {
                        pairs.Add(new(key, child));
                    }
                    else if (sub is Dictionary<Value, object?> subtree)
                    {
                        pairs.Add(new(key, Remove(child, subtree)));
                    }
                }

                return Value.Object(pairs);
            }

            case ArrayValue arr:
            {
                var items = new List<Value>();
                for (var i = 0; i < arr.Items.Length; i++)
                {
                    var match = tree.FirstOrDefault(kv => Matches(kv.Key, i));
                    if (match.Key is null)
                    {
                        items.Add(arr.Items[i]);
                    }
                    else if (match.Value is Dictionary<Value, object?> subtree)
                    {
                        items.Add(Remove(arr.Items[i], subtree));
                    }
                }

                return Value.Array(items);
            }

            case SetValue set:
                return Value.Set(set.Items.Where(v => !tree.TryGetValue(v, out var sub) || sub is not null)
                    .Select(v => tree.TryGetValue(v, out var sub) && sub is Dictionary<Value, object?> subtree ? Remove(v, subtree) : v));
            default:
                return value;
        }
    }

    /// <summary>A patch operation whose path (or from) is an array of segments becomes a JSON pointer.</summary>
    private static Value Normalize(ObjectValue op)
    {
        var pairs = new List<KeyValuePair<Value, Value>>();
        foreach (var (key, value) in op.Pairs.Select(p => (p.Key, p.Value)))
        {
            var v = value;
            if (key is StringValue { Text: "path" or "from" } && value is ArrayValue segments)
            {
                v = Value.String(string.Concat(segments.Items.Select(s => "/" + (s is StringValue ss ? ss.Text : s.ToJson()).Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));
            }

            pairs.Add(new(key, v));
        }

        return Value.Object(pairs);
    }

    /// <summary>Go's json.MarshalIndent layout: each element on its own line, prefixed and indented by depth.</summary>
    private static void WriteIndented(StringBuilder sb, Value value, string prefix, string indent, int depth)
    {
        void Line(int level)
        {
            sb.Append('\n').Append(prefix);
            for (var i = 0; i < level; i++)
            {
                sb.Append(indent);
            }
        }

        switch (value)
        {
            case ObjectValue { Count: > 0 } o:
                sb.Append('{');
                for (var i = 0; i < o.KeyArray.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Line(depth + 1);
                    sb.Append(Value.Quote(o.KeyArray[i] is StringValue ks ? ks.Text : o.KeyArray[i].ToJson())).Append(": ");
                    WriteIndented(sb, o.ValueArray[i], prefix, indent, depth + 1);
                }

                Line(depth);
                sb.Append('}');
                break;
            case ArrayValue { Items.Length: > 0 } or SetValue { Count: > 0 }:
                var items = value is ArrayValue arr ? arr.Items : ((SetValue)value).Items;
                sb.Append('[');
                for (var i = 0; i < items.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Line(depth + 1);
                    WriteIndented(sb, items[i], prefix, indent, depth + 1);
                }

                Line(depth);
                sb.Append(']');
                break;
            default:
                sb.Append(value.ToJson());
                break;
        }
    }
}
