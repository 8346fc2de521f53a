using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>base64, base64url, hex, json, bits and semver.</summary>
internal static class Encodings
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static void Register(Registrar add)
    {
        add("base64.encode", 1, a => Value.String(Convert.ToBase64String(Encoding.UTF8.GetBytes(Args.Str("base64.encode", a, 0)))));
        add("base64.decode", 1, a => Value.String(Utf8("base64.decode", Base64("base64.decode", Args.Str("base64.decode", a, 0)))));
        add("base64.is_valid", 1, a =>
        {
            try
            {
                Convert.FromBase64String(Args.Str("base64.is_valid", a, 0));
                return Value.True;
            }
            catch (FormatException)
            {
                return Value.False;
            }
        });
        add("base64url.encode", 1, a => Value.String(Convert.ToBase64String(Encoding.UTF8.GetBytes(Args.Str("base64url.encode", a, 0))).Replace('+', '-').Replace('/', '_')));
        add("base64url.encode_no_pad", 1, a => Value.String(Convert.ToBase64String(Encoding.UTF8.GetBytes(Args.Str("base64url.encode_no_pad", a, 0))).Replace('+', '-').Replace('/', '_').TrimEnd('=')));
        add("base64url.decode", 1, a =>
        {
            var text = Args.Str("base64url.decode", a, 0);
            if (text.Contains('+', StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal))
            {
                throw Args.Error("base64url.decode", "illegal base64 data");
            }

            text = text.Replace('-', '+').Replace('_', '/');
            if (text.Length % 4 != 0 && !text.EndsWith('='))
            {
                text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
            }

            return Value.String(Utf8("base64url.decode", Base64("base64url.decode", text)));
        });
        add("hex.encode", 1, a => Value.String(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(Args.Str("hex.encode", a, 0)))));
        add("hex.decode", 1, a =>
        {
            try
            {
                return Value.String(Utf8("hex.decode", Convert.FromHexString(Args.Str("hex.decode", a, 0))));
            }
            catch (FormatException)
            {
                throw Args.Error("hex.decode", "invalid hex string");
            }
        });
        add("json.marshal", 1, a => Value.String(a[0].ToJson()));
        add("json.unmarshal", 1, a => Value.FromJson(Args.Str("json.unmarshal", a, 0)));
        add("json.is_valid", 1, a =>
        {
            if (a[0] is not StringValue s)
            {
                return Value.False;
            }

            try
            {
                Value.FromJson(s.Text);
                return Value.True;
            }
            catch (RegoException)
            {
                return Value.False;
            }
        });
        add("bits.and", 2, a => Value.Number(Args.Int("bits.and", a, 0) & Args.Int("bits.and", a, 1)));
        add("bits.or", 2, a => Value.Number(Args.Int("bits.or", a, 0) | Args.Int("bits.or", a, 1)));
        add("bits.xor", 2, a => Value.Number(Args.Int("bits.xor", a, 0) ^ Args.Int("bits.xor", a, 1)));
        add("bits.negate", 1, a => Value.Number(-Args.Int("bits.negate", a, 0) - 1));
        add("bits.lsh", 2, a => Value.Number(Args.Int("bits.lsh", a, 0) << Shift("bits.lsh", a)));
        add("bits.rsh", 2, a => Value.Number(Args.Int("bits.rsh", a, 0) >> Shift("bits.rsh", a)));
        add("semver.is_valid", 1, a => Value.Bool(a[0] is StringValue s && SemVer.TryParse(s.Text, out _)));
        add("semver.compare", 2, a =>
        {
            var left = Args.Str("semver.compare", a, 0);
            var right = Args.Str("semver.compare", a, 1);
            if (!SemVer.TryParse(left, out var l))
            {
                throw Args.Error("semver.compare", $"operand 1: string \"{left}\" is not a valid SemVer");
            }

            if (!SemVer.TryParse(right, out var r))
            {
                throw Args.Error("semver.compare", $"operand 2: string \"{right}\" is not a valid SemVer");
            }

            return Value.Number(l.CompareTo(r));
        });
    }

    private static int Shift(string name, Value[] a)
    {
        var n = Args.Int(name, a, 1);
        if (n < 0)
        {
            throw Args.Error(name, "negative shift count");
        }

        return n > 4096 ? throw Args.Error(name, "shift count too large") : (int)n;
    }

    private static byte[] Base64(string name, string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Args.Error(name, "illegal base64 data");
        }
    }

    private static string Utf8(string name, byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.UTF8.GetString(bytes);
        }
        finally
        {
            _ = name;
        }
    }
}

/// <summary>Semantic Version 2.0.0 parsing and precedence.</summary>
internal sealed record SemVer(BigInteger Major, BigInteger Minor, BigInteger Patch, string[] Pre) : IComparable<SemVer>
{
    public static bool TryParse(string text, out SemVer version)
    {
        version = new SemVer(0, 0, 0, []);
        var plus = text.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            var build = text[(plus + 1)..];
            if (build.Length == 0 || build.Split('.').Any(p => p.Length == 0 || !p.All(IsIdentChar)))
            {
                return false;
            }

            text = text[..plus];
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        string[] pre = [];
        if (dash >= 0)
        {
            pre = text[(dash + 1)..].Split('.');
            if (pre.Any(p => p.Length == 0 || !p.All(IsIdentChar) || (p.All(char.IsAsciiDigit) && p.Length > 1 && p[0] == '0')))
            {
                return false;
            }

            text = text[..dash];
        }

        var parts = text.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0')))
        {
            return false;
        }

        version = new SemVer(BigInteger.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), BigInteger.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), BigInteger.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), pre);
        return true;
    }

    private static bool IsIdentChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-';

    public int CompareTo(SemVer? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = Major.CompareTo(other.Major);
        if (c == 0)
        {
            c = Minor.CompareTo(other.Minor);
        }

        if (c == 0)
        {
            c = Patch.CompareTo(other.Patch);
        }

        if (c != 0)
        {
            return Math.Sign(c);
        }

        if (Pre.Length == 0 || other.Pre.Length == 0)
        {
            return Pre.Length == other.Pre.Length ? 0 : Pre.Length == 0 ? 1 : -1;
        }

        for (var i = 0; i < Math.Min(Pre.Length, other.Pre.Length); i++)
        {
            var a = Pre[i];
            var b = other.Pre[i];
            var an = a.All(char.IsAsciiDigit);
            var bn = b.All(char.IsAsciiDigit);
            int r;
            if (an && bn)
            {
                r = BigInteger.Parse(a, System.Globalization.CultureInfo.InvariantCulture).CompareTo(BigInteger.Parse(b, System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (an)
            {
                r = -1;
            }
            else if (bn)
            {
                r = 1;
            }
            else
            {
                r = string.CompareOrdinal(a, b);
            }

            if (r != 0)
            {
                return Math.Sign(r);
            }
        }

        return Math.Sign(Pre.Length.CompareTo(other.Pre.Length));
    }
}
