namespace Parma.Rego.Builtins;

/// <summary>array.*, object.*, union and intersection.</summary>
internal static class Collections
{
    public static void Register(Registrar add)
    {
        add("array.concat", 2, a => Value.Array(Args.Arr("array.concat", a, 0).Items.Concat(Args.Arr("array.concat", a, 1).Items)));
        add("array.slice", 3, a =>
        {
            var arr = Args.Arr("array.slice", a, 0).Items;
            var start = Math.Clamp(Args.SmallInt("array.slice", a, 1), 0, arr.Length);
            var stop = Math.Clamp(Args.SmallInt("array.slice", a, 2), 0, arr.Length);
            return stop <= start ? Value.EmptyArray : Value.Array(arr[start..stop]);
        });
        add("array.flatten", 1, a => Value.Array(Flatten(Args.Arr("array.flatten", a, 0).Items)));
        add("array.reverse", 1, a => Value.Array(Args.Arr("array.reverse", a, 0).Items.Reverse()));
        add("object.get", 3, a =>
        {
            var obj = Args.Obj("object.get", a, 0);
            if (a[1] is ArrayValue path)
            {
                Value current = obj;
                foreach (var key in path.Items)
                {
                    var next = current is ObjectValue or ArrayValue or SetValue ? current[key] : null;
                    if (next is null)
                    {
                        return a[2];
                    }

                    current = next;
                }

                return current;
            }

            return obj[a[1]] ?? a[2];
        });
        add("object.keys", 1, a => Value.Set(Args.Obj("object.keys", a, 0).KeyArray));
        add("object.union", 2, a => Union(Args.Obj("object.union", a, 0), Args.Obj("object.union", a, 1)));
        add("object.union_n", 1, a =>
        {
            Value result = Value.EmptyObject;
            foreach (var item in Args.Arr("object.union_n", a, 0).Items)
            {
                result = Union((ObjectValue)result, item as ObjectValue ?? throw Args.TypeError("object.union_n", 1, "array of objects", a[0]));
            }

            return result;
        });
        add("object.remove", 2, a =>
        {
            var obj = Args.Obj("object.remove", a, 0);
            var keys = RemovalKeys("object.remove", a);
            return Value.Object(obj.Pairs.Where(p => !keys.Contains(p.Key)));
        });
        add("object.filter", 2, a =>
        {
            var obj = Args.Obj("object.filter", a, 0);
            var keys = RemovalKeys("object.filter", a);
            return Value.Object(obj.Pairs.Where(p => keys.Contains(p.Key)));
        });
        add("union", 1, a => Value.Set(Args.Set("union", a, 0).Items.SelectMany(s => s is SetValue set ? set.Items : throw Args.TypeError("union", 1, "set of sets", a[0]))));
        add("intersection", 1, a =>
        {
            var sets = Args.Set("intersection", a, 0).Items.Select(s => s as SetValue ?? throw Args.TypeError("intersection", 1, "set of sets", a[0])).ToArray();
            if (sets.Length == 0)
            {
                return Value.EmptySet;
            }

            return Value.Set(sets[0].Items.Where(i => sets.All(s => s.Contains(i))));
        });
    }

    private static IEnumerable<Value> Flatten(IEnumerable<Value> items) =>
        items.SelectMany(i => i is ArrayValue nested ? nested.Items : [i]);

    private static HashSet<Value> RemovalKeys(string name, Value[] a) => a[1] switch
    {
        ArrayValue arr => [.. arr.Items],
        SetValue set => [.. set.Items],
        ObjectValue obj => [.. obj.KeyArray],
        _ => throw Args.TypeError(name, 2, "one of {array, object, set}", a[1]),
    };

    private static Value Union(ObjectValue left, ObjectValue right)
    {
        var dict = left.ToDictionary();
        foreach (var (k, v) in right.Pairs)
        {
            dict[k] = dict.TryGetValue(k, out var existing) && existing is ObjectValue eo && v is ObjectValue vo ? Union(eo, vo) : v;
        }

        return Value.Object(dict);
    }
}
