using System.Globalization;
using System.Numerics;
using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>A subset of Go's fmt verbs as used by sprintf: %v %s %d %q %x %X %o %b %f %e %g %t %%, with width and precision.</summary>
internal static class Sprintf
{
    public static string Format(string format, Value[] args)
    {
        var sb = new StringBuilder();
        var argIndex = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }

            var start = i;
            i++;
            var flags = new StringBuilder();
            while (i < format.Length && "+-# 0".Contains(format[i], StringComparison.Ordinal))
            {
                flags.Append(format[i++]);
            }

            var width = ReadInt(format, ref i);
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = ReadInt(format, ref i) ?? 0;
            }

            if (i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }

            var verb = format[i];
            if (verb == '%')
            {
                sb.Append('%');
                continue;
            }

            if (argIndex >= args.Length)
            {
                sb.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }

            var text = FormatOne(verb, args[argIndex++], precision, flags.ToString());
            if (width is { } w && text.Length < w)
            {
                text = flags.ToString().Contains('-', StringComparison.Ordinal)
                    ? text.PadRight(w)
                    : text.PadLeft(w, flags.ToString().Contains('0', StringComparison.Ordinal) && verb != 's' ? '0' : ' ');
            }

            sb.Append(text);
            _ = start;
        }

        if (argIndex < args.Length)
        {
            sb.Append("%!(EXTRA ");
            sb.Append(string.Join(", ", args.Skip(argIndex).Select(a => Args.TypeName(a) + "=" + Plain(a))));
            sb.Append(')');
        }

        return sb.ToString();
    }

    private static int? ReadInt(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        return i > start ? int.Parse(s.AsSpan(start, i - start), CultureInfo.InvariantCulture) : null;
    }

    private static string Plain(Value v) => v switch
    {
        StringValue s => s.Text,
        NumberValue n => n.ToText(),
        _ => v.ToRegoString(),
    };

    private static string FormatOne(char verb, Value v, int? precision, string flags)
    {
        switch (verb)
        {
            case 'v':
            case 's':
                return Plain(v);
            case 'q':
                return v is StringValue qs ? System.Text.Json.JsonSerializer.Serialize(qs.Text) : Plain(v);
            case 't':
                return v is BooleanValue b ? (b.BoolValue ? "true" : "false") : $"%!t({Plain(v)})";
            case 'd':
                return v is NumberValue { IsInteger: true } d ? (flags.Contains('+', StringComparison.Ordinal) && d.Integer.Sign >= 0 ? "+" : string.Empty) + d.Integer.ToString(CultureInfo.InvariantCulture) : $"%!d({Plain(v)})";
            case 'x':
            case 'X':
            case 'o':
            case 'b':
                if (v is StringValue hs && verb is 'x' or 'X')
                {
                    var hex = Convert.ToHexString(Encoding.UTF8.GetBytes(hs.Text));
                    return verb == 'x' ? hex.ToLowerInvariant() : hex;
                }

                if (v is NumberValue { IsInteger: true } xi)
                {
                    return Radix(xi.Integer, verb);
                }

                return $"%!{verb}({Plain(v)})";
            case 'f':
            case 'F':
            case 'e':
            case 'E':
            case 'g':
            case 'G':
                if (v is not NumberValue f)
                {
                    return $"%!{verb}({Plain(v)})";
                }

                var d2 = f.AsDouble;
                return verb switch
                {
                    'f' or 'F' => d2.ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture),
                    'e' or 'E' => GoExp(d2, precision ?? 6, verb),
                    _ => precision is null ? f.ToText() : d2.ToString("G" + precision, CultureInfo.InvariantCulture),
                };
            default:
                return $"%!{verb}({Plain(v)})";
        }
    }

    private static string GoExp(double d, int precision, char verb)
    {
        var text = d.ToString((verb == 'e' ? "e" : "E") + precision, CultureInfo.InvariantCulture);
        var idx = text.IndexOfAny(['e', 'E']);
        var mantissa = text[..(idx + 2)];
        var exponent = int.Parse(text[(idx + 2)..], CultureInfo.InvariantCulture);
        return mantissa + exponent.ToString("00", CultureInfo.InvariantCulture);
    }

    private static string Radix(BigInteger value, char verb)
    {
        var radix = verb switch { 'o' => 8, 'b' => 2, _ => 16 };
        var negative = value.Sign < 0;
        value = BigInteger.Abs(value);
        var sb = new StringBuilder();
        var digits = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        do
        {
            sb.Insert(0, digits[(int)(value % radix)]);
            value /= radix;
        }
        while (!value.IsZero);
        return (negative ? "-" : string.Empty) + sb;
    }
}
