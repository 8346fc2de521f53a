using System.Numerics;

namespace Parma.Rego.Builtins;

/// <summary>Comparison, arithmetic, set and membership operators, and number functions.</summary>
internal static class Operators
{
    public static void Register(Registrar add)
    {
        add("equal", 2, a => Value.Bool(a[0].Equals(a[1])));
        add("neq", 2, a => Value.Bool(!a[0].Equals(a[1])));
        add("lt", 2, a => Value.Bool(a[0].CompareTo(a[1]) < 0));
        add("lte", 2, a => Value.Bool(a[0].CompareTo(a[1]) <= 0));
        add("gt", 2, a => Value.Bool(a[0].CompareTo(a[1]) > 0));
        add("gte", 2, a => Value.Bool(a[0].CompareTo(a[1]) >= 0));
        add("plus", 2, a => Arith("plus", a, BigInteger.Add, (x, y) => x + y));
        add("mul", 2, a => Arith("mul", a, BigInteger.Multiply, (x, y) => x * y));
        add("minus", 2, Minus);
        add("div", 2, Div);
        add("rem", 2, Rem);
        add("and", 2, a => Value.Set(Args.Set("and", a, 0).Items.Where(Args.Set("and", a, 1).Contains)));
        add("or", 2, a => Value.Set(Args.Set("or", a, 0).Items.Concat(Args.Set("or", a, 1).Items)));
        add("internal.member_2", 2, a => Value.Bool(Member(a[0], a[1])));
        add("internal.member_3", 3, a => Value.Bool(a[2][a[0]] is { } v && a[2] is not SetValue && v.Equals(a[1])));
        add("abs", 1, a =>
        {
            var n = Args.Num("abs", a, 0);
            return n.IsInteger ? Value.Number(BigInteger.Abs(n.Integer)) : Value.Number(Math.Abs(n.AsDouble));
        });
        add("round", 1, a => Rounded("round", a, d => Math.Round(d, MidpointRounding.AwayFromZero)));
        add("ceil", 1, a => Rounded("ceil", a, Math.Ceiling));
        add("floor", 1, a => Rounded("floor", a, Math.Floor));
        add("numbers.range", 2, a =>
        {
            var from = Args.Int("numbers.range", a, 0);
            var to = Args.Int("numbers.range", a, 1);
            if (BigInteger.Abs(to - from) > 10_000_000)
            {
                throw Args.Error("numbers.range", "range too large");
            }

            var step = from <= to ? BigInteger.One : BigInteger.MinusOne;
            var items = new List<Value>();
            for (var i = from; ; i += step)
            {
                items.Add(Value.Number(i));
                if (i == to)
                {
                    break;
                }
            }

            return Value.Array(items);
        });
    }

    private static bool Member(Value x, Value collection) => collection switch
    {
        ArrayValue a => a.Items.Any(i => i.Equals(x)),
        SetValue s => s.Contains(x),
        ObjectValue o => o.ValueArray.Any(i => i.Equals(x)),
        _ => false,
    };

    private static Value Rounded(string name, Value[] a, Func<double, double> f)
    {
        var n = Args.Num(name, a, 0);
        return n.IsInteger ? n : Value.Number(f(n.AsDouble));
    }

    private const long MaxExactBits = 8192;

    private static Value Arith(string name, Value[] a, Func<BigInteger, BigInteger, BigInteger> ints, Func<double, double, double> floats)
    {
        var x = Args.Num(name, a, 0);
        var y = Args.Num(name, a, 1);
        // Exact integers while they stay a sane size (so repeated squaring cannot stall evaluation);
        // beyond that the float result, like OPA's big.Float arithmetic, which is then out of range.
        if (x.IsInteger && y.IsInteger && x.Integer.GetBitLength() + y.Integer.GetBitLength() <= MaxExactBits)
        {
            return Value.Number(ints(x.Integer, y.Integer));
        }

        return Finite(name, floats(x.AsDouble, y.AsDouble));
    }

    private static Value Finite(string name, double d) =>
        double.IsFinite(d) ? Value.Number(d) : throw Args.Error(name, "result is not a finite number");

    private static Value Minus(Value[] a)
    {
        if (a[0] is SetValue s1 && a[1] is SetValue s2)
        {
            return Value.Set(s1.Items.Where(i => !s2.Contains(i)));
        }

        if (a[0] is SetValue)
        {
            throw Args.TypeError("minus", 2, "set", a[1]);
        }

        if (a[0] is NumberValue && a[1] is not NumberValue)
        {
            throw Args.TypeError("minus", 2, "number", a[1]);
        }

        if (a[0] is not NumberValue)
        {
            throw Args.TypeError("minus", 1, "one of {number, set}", a[0]);
        }

        return Arith("minus", a, BigInteger.Subtract, (x, y) => x - y);
    }

    private static Value Div(Value[] a)
    {
        var x = Args.Num("div", a, 0);
        var y = Args.Num("div", a, 1);
        if (y.IsInteger ? y.Integer.IsZero : y.AsDouble == 0)
        {
            throw Args.Error("div", "divide by zero");
        }

        if (x.IsInteger && y.IsInteger)
        {
            var q = BigInteger.DivRem(x.Integer, y.Integer, out var r);
            if (r.IsZero)
            {
                return Value.Number(q);
            }
        }

        return Finite("div", x.AsDouble / y.AsDouble);
    }

    private static Value Rem(Value[] a)
    {
        var x = Args.Num("rem", a, 0);
        var y = Args.Num("rem", a, 1);
        if (!x.IsInteger || !y.IsInteger)
        {
            throw Args.Error("rem", "modulo on floating-point number");
        }

        if (y.Integer.IsZero)
        {
            throw Args.Error("rem", "modulo by zero");
        }

        return Value.Number(BigInteger.Remainder(x.Integer, y.Integer));
    }
}
