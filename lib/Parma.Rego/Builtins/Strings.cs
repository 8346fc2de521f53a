using System.Globalization;
using System.Numerics;
using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>String builtins (code-point indexed like OPA).</summary>
internal static class Strings
{
    public static void Register(Registrar add)
    {
        add("concat", 2, a => Value.String(string.Join(Args.Str("concat", a, 0), Args.Strings("concat", a, 1))));
        add("contains", 2, a => Value.Bool(Args.Str("contains", a, 0).Contains(Args.Str("contains", a, 1), StringComparison.Ordinal)));
        add("startswith", 2, a => Value.Bool(Args.Str("startswith", a, 0).StartsWith(Args.Str("startswith", a, 1), StringComparison.Ordinal)));
        add("endswith", 2, a => Value.Bool(Args.Str("endswith", a, 0).EndsWith(Args.Str("endswith", a, 1), StringComparison.Ordinal)));
        add("indexof", 2, a =>
        {
            var s = Args.Str("indexof", a, 0);
            var search = Args.Str("indexof", a, 1);
            if (search.Length == 0)
            {
                throw Args.Error("indexof", "empty search character");
            }

            var i = s.IndexOf(search, StringComparison.Ordinal);
            return Value.Number(i < 0 ? -1 : Text.CodePointIndex(s, i));
        });
        add("indexof_n", 2, a =>
        {
            var s = Args.Str("indexof_n", a, 0);
            var sub = Args.Str("indexof_n", a, 1);
            var result = new List<Value>();
            if (sub.Length == 0)
            {
                throw Args.Error("indexof_n", "empty search character");
            }

            for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + 1, StringComparison.Ordinal))
            {
                result.Add(Value.Number(Text.CodePointIndex(s, i)));
            }

            return Value.Array(result);
        });
        add("lower", 1, a => Value.String(Args.Str("lower", a, 0).ToLowerInvariant()));
        add("upper", 1, a => Value.String(Args.Str("upper", a, 0).ToUpperInvariant()));
        add("replace", 3, a => Value.String(Replace(Args.Str("replace", a, 0), Args.Str("replace", a, 1), Args.Str("replace", a, 2), -1)));
        add("strings.replace_n", 2, a =>
        {
            var patterns = Args.Obj("strings.replace_n", a, 0);
            var s = Args.Str("strings.replace_n", a, 1);
            var pairs = patterns.Pairs.Select(p => (p.Key is StringValue k ? k.Text : throw Args.TypeError("strings.replace_n", 1, "object[string: string]", a[0]),
                p.Value is StringValue v ? v.Text : throw Args.TypeError("strings.replace_n", 1, "object[string: string]", a[0]))).ToList();
            var sb = new StringBuilder();
            var i = 0;
            while (i < s.Length)
            {
                var matched = false;
                foreach (var (old, replacement) in pairs)
                {
                    if (old.Length > 0 && string.CompareOrdinal(s, i, old, 0, old.Length) == 0)
                    {
                        sb.Append(replacement);
                        i += old.Length;
                        matched = true;
                        break;
                    }
                }

                if (!matched)
                {
                    sb.Append(s[i++]);
                }
            }

            return Value.String(sb.ToString());
        });
        add("split", 2, a => Value.Array(Split(Args.Str("split", a, 0), Args.Str("split", a, 1)).Select(Value.String)));
        add("substring", 3, Substring);
        add("sprintf", 2, a => Value.String(Sprintf.Format(Args.Str("sprintf", a, 0), Args.Arr("sprintf", a, 1).Items)));
        add("trim", 2, a => Value.String(TrimLeft(TrimRight(Args.Str("trim", a, 0), Args.Str("trim", a, 1)), Args.Str("trim", a, 1))));
        add("trim_left", 2, a => Value.String(TrimLeft(Args.Str("trim_left", a, 0), Args.Str("trim_left", a, 1))));
        add("trim_right", 2, a => Value.String(TrimRight(Args.Str("trim_right", a, 0), Args.Str("trim_right", a, 1))));
        add("trim_prefix", 2, a =>
        {
            var s = Args.Str("trim_prefix", a, 0);
            var p = Args.Str("trim_prefix", a, 1);
            return Value.String(s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s);
        });
        add("trim_suffix", 2, a =>
        {
            var s = Args.Str("trim_suffix", a, 0);
            var p = Args.Str("trim_suffix", a, 1);
            return Value.String(s.EndsWith(p, StringComparison.Ordinal) ? s[..^p.Length] : s);
        });
        add("trim_space", 1, a => Value.String(TrimSpace(Args.Str("trim_space", a, 0))));
        add("format_int", 2, FormatInt);
        add("strings.reverse", 1, a =>
        {
            var points = Text.CodePoints(Args.Str("strings.reverse", a, 0));
            Array.Reverse(points);
            return Value.String(Text.FromCodePoints(points));
        });
        add("strings.count", 2, a =>
        {
            var s = Args.Str("strings.count", a, 0);
            var sub = Args.Str("strings.count", a, 1);
            if (sub.Length == 0)
            {
                return Value.Number(Text.CodePointCount(s) + 1);
            }

            var n = 0;
            for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal))
            {
                n++;
            }

            return Value.Number(n);
        });
        add("strings.any_prefix_match", 2, a => Value.Bool(AnyMatch("strings.any_prefix_match", a, (s, p) => s.StartsWith(p, StringComparison.Ordinal))));
        add("strings.any_suffix_match", 2, a => Value.Bool(AnyMatch("strings.any_suffix_match", a, (s, p) => s.EndsWith(p, StringComparison.Ordinal))));
    }

    private static bool AnyMatch(string name, Value[] a, Func<string, string, bool> match)
    {
        string[] Texts(int i) => a[i] is StringValue s ? [s.Text] : Args.Strings(name, a, i);
        var subjects = Texts(0);
        var patterns = Texts(1);
        return subjects.Any(s => patterns.Any(p => match(s, p)));
    }

    private static string Replace(string s, string old, string replacement, int n)
    {
        if (old.Length == 0)
        {
            var points = Text.CodePoints(s);
            var sb = new StringBuilder(replacement);
            foreach (var p in points)
            {
                sb.Append(char.ConvertFromUtf32(p)).Append(replacement);
            }

            return sb.ToString();
        }

        return n < 0 ? s.Replace(old, replacement, StringComparison.Ordinal) : s;
    }

    private static string[] Split(string s, string delimiter)
    {
        if (delimiter.Length == 0)
        {
            return Text.CodePoints(s).Select(p => char.ConvertFromUtf32(p)).ToArray();
        }

        return s.Split(delimiter);
    }

    private static Value Substring(Value[] a)
    {
        var s = Args.Str("substring", a, 0);
        var start = Args.Int("substring", a, 1);
        var length = Args.Int("substring", a, 2);
        if (start < 0)
        {
            throw Args.Error("substring", "negative offset");
        }

        var points = Text.CodePoints(s);
        if (start >= points.Length)
        {
            return Value.EmptyString;
        }

        var from = (int)start;
        var count = length < 0 || from + length > points.Length ? points.Length - from : (int)length;
        return Value.String(Text.FromCodePoints(points.AsSpan(from, count)));
    }

    private static string TrimLeft(string s, string cutset)
    {
        var cut = Text.CodePoints(cutset).ToHashSet();
        var points = Text.CodePoints(s);
        var i = 0;
        while (i < points.Length && cut.Contains(points[i]))
        {
            i++;
        }

        return Text.FromCodePoints(points.AsSpan(i));
    }

    private static string TrimRight(string s, string cutset)
    {
        var cut = Text.CodePoints(cutset).ToHashSet();
        var points = Text.CodePoints(s);
        var end = points.Length;
        while (end > 0 && cut.Contains(points[end - 1]))
        {
            end--;
        }

        return Text.FromCodePoints(points.AsSpan(0, end));
    }

    private static string TrimSpace(string s)
    {
        var points = Text.CodePoints(s);
        var start = 0;
        var end = points.Length;
        while (start < end && Text.IsGoSpace(points[start]))
        {
            start++;
        }

        while (end > start && Text.IsGoSpace(points[end - 1]))
        {
            end--;
        }

        return Text.FromCodePoints(points.AsSpan(start, end - start));
    }

    private static Value FormatInt(Value[] a)
    {
        var n = Args.Num("format_int", a, 0);
        var b = Args.Int("format_int", a, 1);
        if (b != 2 && b != 8 && b != 10 && b != 16)
        {
            throw Args.Error("format_int", "operand 2 must be one of {2, 8, 10, 16}");
        }

        // Like Go's big.Float.Int: truncation toward zero.
        var value = n.IsInteger ? n.Integer : new BigInteger(Math.Truncate(n.AsDouble));
        var negative = value.Sign < 0;
        value = BigInteger.Abs(value);
        string digits;
        if (b == 10)
        {
            digits = value.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            var sb = new StringBuilder();
            var radix = (int)b;
            do
            {
                sb.Insert(0, "0123456789abcdef"[(int)(value % radix)]);
                value /= radix;
            }
            while (!value.IsZero);
            digits = sb.ToString();
        }

        return Value.String(negative ? "-" + digits : digits);
    }
}
