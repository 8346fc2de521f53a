using System.Globalization;

namespace Parma.Rego.Builtins;

/// <summary>Go's strconv float formats (%v/%g shortest, %.Ng, %e, %f) for sprintf.</summary>
internal static class GoFloat
{
    /// <summary>Decimal digits without leading/trailing zeros and the decimal point position: value = 0.digits × 10^Point.</summary>
    private readonly record struct Digits(string Text, int Point, bool Negative);

    private static Digits Decompose(string formatted)
    {
        var negative = formatted.StartsWith('-');
        var s = negative ? formatted[1..] : formatted;
        var exponent = 0;
        var e = s.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            exponent = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..e];
        }

        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var point = (dot < 0 ? s.Length : dot) + exponent;
        var digits = s.Replace(".", string.Empty, StringComparison.Ordinal);
        var lead = 0;
        while (lead < digits.Length && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..].TrimEnd('0');
        return digits.Length == 0 ? new Digits(string.Empty, 0, negative) : new Digits(digits, point - lead, negative);
    }

    /// <summary>%v and %g without precision: the shortest digits that round-trip; exponent form when the decimal exponent is below -4 or at least 6 (Go's rule for shortest %g).</summary>
    public static string Shortest(double value, char e)
    {
        var d = Decompose(value.ToString("R", CultureInfo.InvariantCulture));
        var exp = d.Point - 1;
        return d.Text.Length > 0 && (exp < -4 || exp >= 6)
            ? ExponentForm(d, d.Text.Length, e)
            : FixedForm(d, Math.Max(d.Text.Length - d.Point, 0));
    }

    /// <summary>%.Ng: N significant digits, trailing zeros dropped.</summary>
    public static string General(double value, int precision, char e)
    {
        precision = Math.Max(precision, 1);
        var d = Decompose(value.ToString("E" + (precision - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        var nd = d.Text.Length;
        var eprec = precision > nd && nd >= d.Point ? nd : precision;
        var exp = d.Point - 1;
        if (nd > 0 && (exp < -4 || exp >= eprec))
        {
            return ExponentForm(d, Math.Min(precision, nd), e);
        }

        var p = precision > d.Point ? nd : precision;
        return FixedForm(d, Math.Max(p - d.Point, 0));
    }

    public static string Fixed(double value, int precision) =>
        value.ToString("F" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>%e: .NET writes at least three exponent digits, Go at least two.</summary>
    public static string Exponent(double value, int precision, char verb)
    {
        var text = value.ToString((verb == 'e' ? "e" : "E") + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var idx = text.IndexOfAny(['e', 'E']);
        var exponent = int.Parse(text.AsSpan(idx + 2), CultureInfo.InvariantCulture);
        return text[..(idx + 2)] + exponent.ToString("00", CultureInfo.InvariantCulture);
    }

    private static string ExponentForm(Digits d, int digits, char e)
    {
        var text = d.Text.Length == 0 ? "0" : d.Text;
        var mantissa = digits > 1 && text.Length > 1 ? text[..1] + "." + text[1..Math.Min(digits, text.Length)] : text[..1];
        var exp = d.Text.Length == 0 ? 0 : d.Point - 1;
        return (d.Negative ? "-" : string.Empty) + mantissa + e + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
    }

    private static string FixedForm(Digits d, int decimals)
    {
        var sb = new System.Text.StringBuilder();
        if (d.Negative)
        {
            sb.Append('-');
        }

        if (d.Point <= 0)
        {
            sb.Append('0');
        }
        else
        {
            for (var i = 0; i < d.Point; i++)
            {
                sb.Append(i < d.Text.Length ? d.Text[i] : '0');
            }
        }

        if (decimals > 0)
        {
            sb.Append('.');
            for (var i = 0; i < decimals; i++)
            {
                var index = d.Point + i;
                sb.Append(index >= 0 && index < d.Text.Length ? d.Text[index] : '0');
            }
        }

        return sb.ToString();
    }
}
