namespace Parma.Rego.Evaluation;

/// <summary>Structural helpers for building documents (with-overrides, mounts).</summary>
internal static class Patch
{
    /// <summary>Returns a copy of the document with value set at path, creating objects on the way.</summary>
    public static Value Upsert(Value document, ReadOnlySpan<string> path, Value value)
    {
        if (path.Length == 0)
        {
            return value;
        }

        var dict = document is ObjectValue o ? o.ToDictionary() : new Dictionary<Value, Value>();
        var key = Value.String(path[0]);
        dict.TryGetValue(key, out var child);
        dict[key] = Upsert(child ?? Value.EmptyObject, path[1..], value);
        return ObjectValue.FromDictionary(dict);
    }

    /// <summary>Deep merge of two objects (right wins on scalar conflicts); null means absent.</summary>
    public static Value? Merge(Value? left, Value? right)
    {
        if (left is null)
        {
            return right;
        }

        if (right is null)
        {
            return left;
        }

        if (left is not ObjectValue lo || right is not ObjectValue ro)
        {
            return right;
        }

        var dict = lo.ToDictionary();
        foreach (var (k, v) in ro.Pairs)
        {
            dict[k] = dict.TryGetValue(k, out var existing) ? Merge(existing, v)! : v;
        }

        return ObjectValue.FromDictionary(dict);
    }
}
