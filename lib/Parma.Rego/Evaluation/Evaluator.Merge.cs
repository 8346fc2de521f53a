using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

/// <summary>
/// The document of a rule node whose subtree holds further rules (ref heads such as `p[q].r` beside `p.a.r`).
/// Every rule value is a leaf at its path. Leaves at the same path must be equal (sets union); a rule that
/// defines a path inside another rule's value must agree with that value, otherwise it is a conflict.
/// </summary>
internal sealed partial class Evaluator
{
    private static readonly Value TreeTop = Value.String("\u0000top");

    private Value? MergedNodeValue(RuleNode node, List<string> current)
    {
        _merge ??= new();
        if (!_merge.Documents.TryGetValue(node.Index, out var cached))
        {
            var root = new Dictionary<Value, object>();
            AddLeaves(node, [TreeTop], root);
            cached = root.TryGetValue(TreeTop, out var top) ? (top as Value ?? Freeze((Dictionary<Value, object>)top)) : UndefinedMarker;
            _merge.Documents[node.Index] = cached;
        }

        var value = ReferenceEquals(cached, UndefinedMarker) ? null : cached;
        return _overrides.Count == 0 ? value : ApplyOverrides(value, current);
    }

    private void AddLeaves(RuleNode node, List<Value> path, Dictionary<Value, object> root)
    {
        if (node.IsFunction)
        {
            return;
        }

        if (node.HasRules && NodeValue(node) is { } own)
        {
            if (node.Rules.Count > 0 && node.Rules[0].Kind == RuleKind.PartialObject && _merge!.ObjectTrees.TryGetValue(node.Index, out var raw))
            {
                Branch(root, path);
                AddRawLeaves(raw, path, root, node);
            }
            else
            {
                InsertLeaf(root, path, own, node);
            }
        }

        foreach (var (name, child) in node.Children)
        {
            path.Add(Value.String(name));
            AddLeaves(child, path, root);
            path.RemoveAt(path.Count - 1);
        }
    }

    private void AddRawLeaves(Dictionary<Value, object> raw, List<Value> path, Dictionary<Value, object> root, RuleNode node)
    {
        foreach (var (key, entry) in raw)
        {
            path.Add(key);
            if (entry is Value leaf)
            {
                InsertLeaf(root, path, leaf, node);
            }
            else
            {
                var nested = (Dictionary<Value, object>)entry;
                if (nested.ContainsKey(SetMarker))
                {
                    InsertLeaf(root, path, Freeze(nested), node);
                }
                else
                {
                    AddRawLeaves(nested, path, root, node);
                }
            }

            path.RemoveAt(path.Count - 1);
        }
    }

    /// <summary>Makes sure an (empty) object exists at path unless a leaf already covers it.</summary>
    private static void Branch(Dictionary<Value, object> root, List<Value> path)
    {
        var current = root;
        foreach (var key in path)
        {
            if (!current.TryGetValue(key, out var next))
            {
                current[key] = next = new Dictionary<Value, object>();
            }

            if (next is not Dictionary<Value, object> nested)
            {
                return;
            }

            current = nested;
        }
    }

    private static void InsertLeaf(Dictionary<Value, object> root, List<Value> path, Value value, RuleNode node)
    {
        var current = root;
        for (var i = 0; i < path.Count - 1; i++)
        {
            if (!current.TryGetValue(path[i], out var next))
            {
                current[path[i]] = next = new Dictionary<Value, object>();
            }

            if (next is Value leaf)
            {
                if (ValueAt(leaf, path, i + 1) is not { } inner || !inner.Equals(value))
                {
                    throw TreeConflict(node);
                }

                return;
            }

            current = (Dictionary<Value, object>)next;
        }

        var key = path[^1];
        if (!current.TryGetValue(key, out var existing))
        {
            current[key] = value;
        }
        else if (existing is Value existingLeaf)
        {
            if (existingLeaf is SetValue es && value is SetValue vs)
            {
                current[key] = Value.Set(es.Items.Concat(vs.Items));
            }
            else if (!existingLeaf.Equals(value))
            {
                throw TreeConflict(node);
            }
        }
        else
        {
            // Leaves already placed below this path must agree with the new, shallower leaf.
            if (!Covers(value, (Dictionary<Value, object>)existing))
            {
                throw TreeConflict(node);
            }

            current[key] = value;
        }
    }

    private static Value? ValueAt(Value value, List<Value> path, int from)
    {
        Value? current = value;
        for (var i = from; i < path.Count && current is not null; i++)
        {
            current = current[path[i]];
        }

        return current;
    }

    private static bool Covers(Value value, Dictionary<Value, object> branch)
    {
        foreach (var (key, entry) in branch)
        {
            var inner = value[key];
            var agrees = entry switch
            {
                Value leaf => leaf.Equals(inner),
                Dictionary<Value, object> nested => inner is not null && Covers(inner, nested),
                _ => false,
            };
            if (!agrees)
            {
                return false;
            }
        }

        return true;
    }

    private static RegoException TreeConflict(RuleNode node) =>
        new(RegoException.Codes.ConflictError, $"object keys must be unique: rules under {node.DottedPath} define conflicting values");
}

internal sealed class MergeState
{
    public Dictionary<int, Value> Documents { get; } = [];

    public Dictionary<int, Dictionary<Value, object>> ObjectTrees { get; } = [];
}
