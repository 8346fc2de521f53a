using System.Numerics;

namespace Parma.Rego.Builtins;

/// <summary>object.subset and numbers.range_step.</summary>
internal static class Subsets
{
    public static void Register(Registrar add)
    {
        add("object.subset", 2, a =>
        {
            return (a[0], a[1]) switch
            {
                (ObjectValue or SetValue or ArrayValue, ObjectValue or SetValue or ArrayValue) when Comparable(a[0], a[1]) => Value.Bool(IsSubset(a[0], a[1])),
                (ObjectValue or SetValue or ArrayValue, _) => throw Args.TypeError("object.subset", 2, a[0] is ArrayValue ? "one of {array, set}" : Args.TypeName(a[0]), a[1]),
                _ => throw Args.TypeError("object.subset", 1, "one of {object, array, set}", a[0]),
            };
        });
        add("numbers.range_step", 3, a =>
        {
            var from = Args.Int("numbers.range_step", a, 0);
            var to = Args.Int("numbers.range_step", a, 1);
            var step = Args.Int("numbers.range_step", a, 2);
            if (step <= 0)
            {
                throw Args.Error("numbers.range_step", "step must be a positive number above zero");
            }

            if (BigInteger.Abs(to - from) / step > 10_000_000)
            {
                throw Args.Error("numbers.range_step", "range too large");
            }

            var items = new List<Value>();
            if (from <= to)
            {
                for (var i = from; i <= to; i += step)
                {
                    items.Add(Value.Number(i));
                }
            }
            else
            {
                for (var i = from; i >= to; i -= step)
                {
                    items.Add(Value.Number(i));
                }
            }

            return Value.Array(items);
        });
    }

    private static bool Comparable(Value super, Value sub) => (super, sub) switch
    {
        (ObjectValue, ObjectValue) or (SetValue, SetValue) or (ArrayValue, ArrayValue) or (ArrayValue, SetValue) => true,
        _ => false,
    };

    /// <summary>
    /// Objects: every key of sub is in super with a value that is a subset (objects, sets, arrays) or equal.
    /// Sets: every element is a member. Arrays: sub appears contiguously in super. Array and set: every element occurs.
    /// </summary>
    private static bool IsSubset(Value super, Value sub)
    {
        switch (super, sub)
        {
            case (ObjectValue so, ObjectValue o):
                foreach (var (key, value) in o.Pairs.Select(p => (p.Key, p.Value)))
                {
                    if (so[key] is not { } superValue)
                    {
                        return false;
                    }

                    if (!(Comparable(superValue, value) ? IsSubset(superValue, value) : superValue.Equals(value)))
                    {
                        return false;
                    }
                }

                return true;
            case (SetValue ss, SetValue s):
                return s.Items.All(ss.Contains);
            case (ArrayValue sa, ArrayValue arr):
                if (arr.Items.Length == 0)
                {
                    return true;
                }

                for (var start = 0; start + arr.Items.Length <= sa.Items.Length; start++)
                {
                    var all = true;
                    for (var i = 0; i < arr.Items.Length && all; i++)
                    {
                        all = sa.Items[start + i].Equals(arr.Items[i]);
                    }

                    if (all)
                    {
                        return true;
                    }
                }

                return false;
            case (ArrayValue sa, SetValue s):
                return s.Items.All(item => sa.Items.Contains(item));
            default:
                return false;
        }
    }
}
