using System.Globalization;
using System.Numerics;

namespace Parma.Rego;

/// <summary>A Rego number: an exact integer (any size) or a floating-point value. Integral floats normalise to integers so 1 == 1.0.</summary>
public sealed class NumberValue : Value
{
    private static readonly NumberValue[] SmallInts = Enumerable.Range(-16, 273).Select(i => new NumberValue(i, 0, true)).ToArray();
    private static readonly double MaxExactDouble = Math.Pow(2, 53);

    private NumberValue(BigInteger integer, double floating, bool isInteger, string? literal = null)
    {
        Integer = integer;
        Floating = floating;
        IsInteger = isInteger;
        Literal = literal;
    }

    public bool IsInteger { get; }

    /// <summary>The value when <see cref="IsInteger"/>.</summary>
    public BigInteger Integer { get; }

    private double Floating { get; }

    /// <summary>
    /// The source text of a literal too large for a double (e.g. 2e308). OPA keeps number literals as text
    /// and prints such a number the way it was written; the value itself stays exact.
    /// </summary>
    private string? Literal { get; }

    /// <summary>The source text when the literal is beyond float64 (see <see cref="Literal"/>); null otherwise.</summary>
    internal string? SourceLiteral => Literal;

    public override ValueKind Kind => ValueKind.Number;

    public double AsDouble => IsInteger ? (double)Integer : Floating;

    public static NumberValue FromInteger(long value) =>
        value is >= -16 and <= 256 ? SmallInts[value + 16] : new NumberValue(value, 0, true);

    public static NumberValue FromInteger(BigInteger value) =>
        value >= -16 && value <= 256 ? SmallInts[(int)value + 16] : new NumberValue(value, 0, true);

    public static NumberValue FromDouble(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new RegoException(RegoException.Codes.BuiltinError, "number is not finite");
        }

        if (Math.Floor(value) == value && Math.Abs(value) < 1e300)
        {
            return FromInteger(new BigInteger(value));
        }

        return new NumberValue(BigInteger.Zero, value, false);
    }

    public static NumberValue FromDecimal(decimal value) =>
        decimal.Truncate(value) == value ? FromInteger(new BigInteger(value)) : FromDouble((double)value);

    /// <summary>Parses a JSON/Rego number literal exactly when it is integral.</summary>
    public static NumberValue? Parse(string text)
    {
        if (text.Length > 0 && text.IndexOfAny(['.', 'e', 'E']) < 0)
        {
            return BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big) ? FromInteger(big) : null;
        }

        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var dec) && decimal.Truncate(dec) == dec)
        {
            return FromInteger(new BigInteger(dec));
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsInfinity(d))
        {
            return FromDouble(d);
        }

        return ParseBigExponent(text);
    }

    private static NumberValue? ParseBigExponent(string text)
    {
        var e = text.IndexOfAny(['e', 'E']);
        if (e < 0 || !int.TryParse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent) || exponent < 0 || exponent > 10000)
        {
            return null;
        }

        var mantissa = text[..e];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var fraction = dot < 0 ? 0 : mantissa.Length - dot - 1;
        if (fraction > exponent || !BigInteger.TryParse(mantissa.Replace(".", string.Empty, StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var digits))
        {
            return null;
        }

        return new NumberValue(digits * BigInteger.Pow(10, exponent - fraction), 0, true, text);
    }

    public bool TryGetInt(out int value)
    {
        if (IsInteger && Integer >= int.MinValue && Integer <= int.MaxValue)
        {
            value = (int)Integer;
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryGetLong(out long value)
    {
        if (IsInteger && Integer >= long.MinValue && Integer <= long.MaxValue)
        {
            value = (long)Integer;
            return true;
        }

        value = 0;
        return false;
    }

    public override int CompareTo(Value? other)
    {
        if (other is not NumberValue n)
        {
            return CompareKinds(other);
        }

        if (IsInteger && n.IsInteger)
        {
            return Integer.CompareTo(n.Integer);
        }

        return AsDouble.CompareTo(n.AsDouble);
    }

    public override bool Equals(Value? other) => other is NumberValue n && CompareTo(n) == 0;

    public override int GetHashCode() => IsInteger ? Integer.GetHashCode() : Floating.GetHashCode();

    public string ToText()
    {
        if (Literal is not null)
        {
            return Literal;
        }

        if (IsInteger)
        {
            return Integer.ToString(CultureInfo.InvariantCulture);
        }

        var text = Floating.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            text = text.Replace("E", "e", StringComparison.Ordinal);
            if (!text.Contains("e-", StringComparison.Ordinal) && !text.Contains("e+", StringComparison.Ordinal))
            {
                text = text.Replace("e", "e+", StringComparison.Ordinal);
            }
        }

        return text;
    }

    internal static bool FitsDouble(BigInteger value) => BigInteger.Abs(value) <= new BigInteger(MaxExactDouble);
}
