using Parma.Rego.Syntax;

namespace Parma.Rego.Evaluation;

/// <summary>
/// How an object literal is built, worked out on its first evaluation: its key and value terms interleaved
/// (the order the general evaluator visits them) and, when every key is a distinct constant (as in
/// `{"op": "add", "path": p, "value": v}`), the keys sorted once, so each evaluation fills a value array in
/// key order instead of hashing and sorting the keys again.
/// </summary>
internal sealed class ObjectLiteralPlan
{
    private ObjectLiteralPlan(Term[] pairs, Value[]? sortedKeys, int[]? valueAt)
    {
        Pairs = pairs;
        SortedKeys = sortedKeys;
        ValueAt = valueAt;
    }

    public Term[] Pairs { get; }

    /// <summary>The constant keys in object order; null when a key is not a constant or two keys are equal.</summary>
    public Value[]? SortedKeys { get; }

    /// <summary>For the i-th sorted key, the index in <see cref="Pairs"/> of its value.</summary>
    public int[]? ValueAt { get; }

    public static ObjectLiteralPlan For(ObjectTerm o)
    {
        var n = o.Keys.Length;
        var pairs = new Term[n * 2];
        for (var i = 0; i < n; i++)
        {
            pairs[2 * i] = o.Keys[i];
            pairs[(2 * i) + 1] = o.Values[i];
        }

        if (n == 0 || o.Keys.Any(k => k is not ScalarTerm))
        {
            return new ObjectLiteralPlan(pairs, null, null);
        }

        var order = Enumerable.Range(0, n).ToArray();
        var keys = o.Keys.Select(k => ((ScalarTerm)k).Value).ToArray();
        System.Array.Sort(keys, order);
        for (var i = 1; i < n; i++)
        {
            if (keys[i].CompareTo(keys[i - 1]) == 0)
            {
                return new ObjectLiteralPlan(pairs, null, null);
            }
        }

        return new ObjectLiteralPlan(pairs, keys, order.Select(i => (2 * i) + 1).ToArray());
    }
}
