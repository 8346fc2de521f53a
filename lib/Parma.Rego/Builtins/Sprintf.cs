using System.Globalization;
using System.Numerics;
using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>
/// sprintf with Go's fmt semantics for the arguments OPA passes: integers that fit 64 bits become Go ints,
/// larger integers *big.Int, other numbers float64, a number literal beyond float64 its source text, and
/// everything else (booleans, collections) its Rego text as a string. Verbs a Go type does not support
/// print as %!verb(type=value), exactly like Go.
/// </summary>
internal static class Sprintf
{
    private enum GoKind
    {
        Int,
        BigInt,
        Float,
        String,
    }

    private readonly record struct GoArg(GoKind Kind, BigInteger Integer, double Float, string Text)
    {
        public string TypeName => Kind switch
        {
            GoKind.Int => "int",
            GoKind.BigInt => "*big.Int",
            GoKind.Float => "float64",
            _ => "string",
        };

        /// <summary>The value as %v prints it.</summary>
        public string Plain => Kind switch
        {
            GoKind.Int or GoKind.BigInt => Integer.ToString(CultureInfo.InvariantCulture),
            GoKind.Float => GoFloat.Shortest(Float, 'e'),
            _ => Text,
        };

        public bool IsInteger => Kind is GoKind.Int or GoKind.BigInt;
    }

    public static string Format(string format, Value[] values)
    {
        var args = values.Select(ToGo).ToArray();
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

            var f = flags.ToString();
            var text = FormatOne(verb, args[argIndex++], precision, f, out var numeric);
            if (width is { } w && text.Length < w)
            {
                text = f.Contains('-', StringComparison.Ordinal)
                    ? text.PadRight(w)
                    : PadLeft(text, w, numeric && f.Contains('0', StringComparison.Ordinal));
            }

            sb.Append(text);
        }

        if (argIndex < args.Length)
        {
            sb.Append("%!(EXTRA ");
            sb.Append(string.Join(", ", args.Skip(argIndex).Select(a => a.TypeName + "=" + a.Plain)));
            sb.Append(')');
        }

        return sb.ToString();
    }

    private static GoArg ToGo(Value v) => v switch
    {
        NumberValue { SourceLiteral: { } literal } => new GoArg(GoKind.String, default, 0, literal),
        NumberValue n when n.TryGetLong(out var l) => new GoArg(GoKind.Int, l, 0, string.Empty),
        NumberValue { IsInteger: true } n => new GoArg(GoKind.BigInt, n.Integer, 0, string.Empty),
        NumberValue n => new GoArg(GoKind.Float, default, n.AsDouble, string.Empty),
        StringValue s => new GoArg(GoKind.String, default, 0, s.Text),
        _ => new GoArg(GoKind.String, default, 0, v.ToRegoString()),
    };

    /// <summary>Zero padding goes after the sign, like Go.</summary>
    private static string PadLeft(string text, int width, bool zeros)
    {
        if (!zeros)
        {
            return text.PadLeft(width);
        }

        var sign = text.Length > 0 && text[0] is '-' or '+' ? text[..1] : string.Empty;
        return sign + text[sign.Length..].PadLeft(width - sign.Length, '0');
    }

    private static int? ReadInt(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        return i > start && int.TryParse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? Math.Min(n, 1 << 16) : null;
    }

    private static string BadVerb(char verb, GoArg a) =>
        a.Kind == GoKind.BigInt ? $"%!{verb}(big.Int={a.Plain})" : $"%!{verb}({a.TypeName}={a.Plain})";

    private static string FormatOne(char verb, GoArg a, int? precision, string flags, out bool numeric)
    {
        numeric = a.Kind != GoKind.String;
        var plus = flags.Contains('+', StringComparison.Ordinal);
        switch (verb)
        {
            case 'v':
                return a.Kind == GoKind.String ? Truncate(a.Text, precision) : Signed(a, plus, a.Plain);
            case 's':
                return a.Kind switch
                {
                    GoKind.String => Truncate(a.Text, precision),
                    GoKind.BigInt => Signed(a, plus, a.Plain),
                    _ => BadVerb(verb, a),
                };
            case 'q':
                return a.Kind switch
                {
                    GoKind.String => GoQuote.String(Truncate(a.Text, precision)),
                    GoKind.Int => GoQuote.Rune(a.Integer),
                    _ => BadVerb(verb, a),
                };
            case 'c':
                return a.Kind == GoKind.Int ? GoQuote.RuneText(a.Integer) : BadVerb(verb, a);
            case 'd':
                return a.IsInteger ? Signed(a, plus, a.Plain) : BadVerb(verb, a);
            case 'x':
            case 'X':
                if (a.Kind == GoKind.String)
                {
                    var hex = Convert.ToHexString(Encoding.UTF8.GetBytes(a.Text));
                    return verb == 'x' ? hex.ToLowerInvariant() : hex;
                }

                return a.IsInteger ? Signed(a, plus, Radix(a.Integer, verb)) : BadVerb(verb, a);
            case 'o':
            case 'b':
                return a.IsInteger ? Signed(a, plus, Radix(a.Integer, verb)) : BadVerb(verb, a);
            case 'f':
            case 'F':
            case 'e':
            case 'E':
            case 'g':
            case 'G':
                if (a.Kind != GoKind.Float)
                {
                    return BadVerb(verb, a);
                }

                var text = verb switch
                {
                    'f' or 'F' => GoFloat.Fixed(a.Float, precision ?? 6),
                    'e' or 'E' => GoFloat.Exponent(a.Float, precision ?? 6, verb),
                    _ => precision is { } p ? GoFloat.General(a.Float, p, verb == 'G' ? 'E' : 'e') : GoFloat.Shortest(a.Float, verb == 'G' ? 'E' : 'e'),
                };
                return plus && a.Float >= 0 ? "+" + text : text;
            default:
                return BadVerb(verb, a);
        }
    }

    private static string Signed(GoArg a, bool plus, string text) =>
        plus && !text.StartsWith('-') && (a.IsInteger || a.Kind == GoKind.Float) ? "+" + text : text;

    /// <summary>A precision on a string verb truncates to that many code points.</summary>
    private static string Truncate(string s, int? precision)
    {
        if (precision is not { } p)
        {
            return s;
        }

        var sb = new StringBuilder();
        var count = 0;
        foreach (var rune in s.EnumerateRunes())
        {
            if (count++ == p)
            {
                break;
            }

            sb.Append(rune.ToString());
        }

        return sb.ToString();
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
