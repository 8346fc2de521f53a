namespace Parma.Rego.Builtins;

/// <summary>count, sum, product, max, min, sort.</summary>
internal static class Aggregates
{
    public static void Register(Registrar add)
    {
        add("count", 1, a => a[0] switch
        {
            ArrayValue x => Value.Number(x.Count),
            ObjectValue x => Value.Number(x.Count),
            SetValue x => Value.Number(x.Count),
            StringValue s => Value.Number(Text.CodePointCount(s.Text)),
            _ => throw Args.TypeError("count", 1, "one of {array, object, set, string}", a[0]),
        });
        add("sum", 1, a => Fold("sum", a, "plus", Value.Number(0)));
        add("product", 1, a => Fold("product", a, "mul", Value.Number(1)));
        add("max", 1, a =>
        {
            var items = Args.Collection("max", a, 0);
            return items.Length == 0 ? null : items.Max();
        });
        add("min", 1, a =>
        {
            var items = Args.Collection("min", a, 0);
            return items.Length == 0 ? null : items.Min();
        });
        add("sort", 1, a =>
        {
            var items = (Value[])Args.Collection("sort", a, 0).Clone();
            Array.Sort(items);
            return Value.Array(items);
        });
    }

    private static Value Fold(string name, Value[] a, string op, Value seed)
    {
        var items = Args.Collection(name, a, 0);
        var impl = BuiltinTable.All[op].Impl;
        var acc = seed;
        foreach (var item in items)
        {
            if (item is not NumberValue)
            {
                throw Args.TypeError(name, 1, "one of {array, set} of numbers", a[0]);
            }

            acc = impl([acc, item])!;
        }

        return acc;
    }
}
