using System.Numerics;

namespace Parma.Rego.Builtins;

/// <summary>units.parse (SI and IEC suffixes, m = milli) and units.parse_bytes (byte sizes, rounded down to whole bytes).</summary>
internal static class Units
{
    private const int MaxExponent = 10_000;

    private static readonly Dictionary<string, BigInteger> Decimal = new(StringComparer.Ordinal)
    {
        [""] = 1,
        ["k"] = BigInteger.Pow(1000, 1),
        ["m"] = BigInteger.Pow(1000, 2),
        ["g"] = BigInteger.Pow(1000, 3),
        ["t"] = BigInteger.Pow(1000, 4),
        ["p"] = BigInteger.Pow(1000, 5),
        ["e"] = BigInteger.Pow(1000, 6),
        ["ki"] = BigInteger.Pow(1024, 1),
        ["mi"] = BigInteger.Pow(1024, 2),
        ["gi"] = BigInteger.Pow(1024, 3),
        ["ti"] = BigInteger.Pow(1024, 4),
        ["pi"] = BigInteger.Pow(1024, 5),
        ["ei"] = BigInteger.Pow(1024, 6),
    };

    public static void Register(Registrar add)
    {
        add("units.parse", 1, a => Parse("units.parse", Args.Str("units.parse", a, 0), bytes: false));
        add("units.parse_bytes", 1, a => Parse("units.parse_bytes", Args.Str("units.parse_bytes", a, 0), bytes: true));
    }

    private static Value Parse(string name, string raw, bool bytes)
    {
        var what = bytes ? "byte amount" : "amount";
        var text = raw.Replace("\"", string.Empty, StringComparison.Ordinal);
        if (text.Contains(' ', StringComparison.Ordinal))
        {
            throw Args.Error(name, "spaces not allowed in resource strings");
        }

        var (number, unit) = Split(text);
        if (number.Length == 0)
        {
            throw Args.Error(name, $"no {what} provided");
        }

        if (!TryParseDecimal(number, out var mantissa, out var exponent, out var tooLarge))
        {
            throw Args.Error(name, tooLarge ? "exponent too large" : $"could not parse {what} to a number");
        }

        BigInteger numerator = mantissa, denominator = BigInteger.One;
        if (exponent >= 0)
        {
            numerator *= BigInteger.Pow(10, exponent);
        }
        else
        {
            denominator = BigInteger.Pow(10, -exponent);
        }

        if (bytes)
        {
            var lower = unit.ToLowerInvariant();
            if (lower.EndsWith('b'))
            {
                lower = lower[..^1];
            }

            if (!Decimal.TryGetValue(lower, out var multiplier))
            {
                throw Args.Error(name, $"byte unit {unit} not recognized");
            }

            return Value.Number(BigInteger.Divide(numerator * multiplier, denominator));
        }

        if (unit == "m")
        {
            denominator *= 1000;
        }
        else if (Decimal.TryGetValue(unit.ToLowerInvariant(), out var multiplier))
        {
            numerator *= multiplier;
        }
        else
        {
            throw Args.Error(name, $"unit {unit} not recognized");
        }

        return Exact(numerator, denominator);
    }

    /// <summary>A ratio as an exact integer when it divides evenly, otherwise as the nearest double.</summary>
    internal static Value Exact(BigInteger numerator, BigInteger denominator)
    {
        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        if (remainder.IsZero)
        {
            return Value.Number(quotient);
        }

        return Value.Number((double)quotient + ((double)remainder / (double)denominator));
    }

    /// <summary>Splits "2.5e3Ki" into the number "2.5e3" and the unit "Ki"; an e or E not followed by a digit or sign starts the unit.</summary>
    private static (string Number, string Unit) Split(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c) || c is '.' or '+' or '-')
            {
                continue;
            }

            if (c is 'e' or 'E' && i > 0 && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text[i + 1] is '+' or '-'))
            {
                continue;
            }

            return (text[..i], text[i..]);
        }

        return (text, string.Empty);
    }

    /// <summary>Parses [sign] digits [. digits] [e [sign] digits] exactly: value = mantissa × 10^exponent.</summary>
    internal static bool TryParseDecimal(string text, out BigInteger mantissa, out int exponent, out bool exponentTooLarge)
    {
        mantissa = BigInteger.Zero;
        exponent = 0;
        exponentTooLarge = false;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }

        var digits = new System.Text.StringBuilder();
        var fraction = 0;
        var seenDot = false;
        for (; i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'); i++)
        {
            if (text[i] == '.')
            {
                if (seenDot)
                {
                    return false;
                }

                seenDot = true;
                continue;
            }

            digits.Append(text[i]);
            if (seenDot)
            {
                fraction++;
            }
        }

        if (digits.Length == 0)
        {
            return false;
        }

        var exp = BigInteger.Zero;
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            var expNegative = false;
            if (i < text.Length && text[i] is '+' or '-')
            {
                expNegative = text[i] == '-';
                i++;
            }

            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }

            exp = BigInteger.Parse(text.AsSpan(start, i - start), System.Globalization.CultureInfo.InvariantCulture);
            if (expNegative)
            {
                exp = -exp;
            }
        }

        if (i != text.Length)
        {
            return false;
        }

        var total = exp - fraction;
        if (BigInteger.Abs(total) > MaxExponent)
        {
            exponentTooLarge = true;
            return false;
        }

        mantissa = BigInteger.Parse(digits.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        if (negative)
        {
            mantissa = -mantissa;
        }

        exponent = (int)total;
        return true;
    }
}
