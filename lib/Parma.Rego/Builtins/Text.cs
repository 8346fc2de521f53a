using System.Globalization;
using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>Code-point helpers: Rego indexes strings by Unicode code point, not UTF-16 unit.</summary>
internal static class Text
{
    public static int CodePointCount(string s)
    {
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }

            n++;
        }

        return n;
    }

    public static int[] CodePoints(string s)
    {
        var list = new List<int>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                list.Add(char.ConvertToUtf32(s[i], s[i + 1]));
                i++;
            }
            else
            {
                list.Add(s[i]);
            }
        }

        return [.. list];
    }

    public static string FromCodePoints(ReadOnlySpan<int> points)
    {
        var sb = new StringBuilder(points.Length);
        foreach (var p in points)
        {
            if (p is >= 0xD800 and <= 0xDFFF)
            {
                sb.Append((char)p);
            }
            else
            {
                sb.Append(char.ConvertFromUtf32(p));
            }
        }

        return sb.ToString();
    }

    /// <summary>Code-point index of the UTF-16 offset.</summary>
    public static int CodePointIndex(string s, int utf16Offset) => CodePointCount(s[..utf16Offset]);

    public static bool IsGoSpace(int c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r' or 0x85 or 0xA0 ||
        (c > 0xFF && char.IsWhiteSpace((char)c));

    public static string Invariant(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
}
