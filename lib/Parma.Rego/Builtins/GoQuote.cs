using System.Globalization;
using System.Numerics;
using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>Go's strconv.Quote / QuoteRune, used by sprintf's %q and %c.</summary>
internal static class GoQuote
{
    public static string String(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var rune in s.EnumerateRunes())
        {
            Append(sb, rune, '"');
        }

        return sb.Append('"').ToString();
    }

    public static string Rune(BigInteger code)
    {
        var sb = new StringBuilder("'");
        Append(sb, ToRune(code), '\'');
        return sb.Append('\'').ToString();
    }

    public static string RuneText(BigInteger code) => ToRune(code).ToString();

    private static Rune ToRune(BigInteger code) =>
        code >= 0 && code <= 0x10FFFF && System.Text.Rune.IsValid((int)code) ? new Rune((int)code) : System.Text.Rune.ReplacementChar;

    private static void Append(StringBuilder sb, Rune r, char quote)
    {
        if (r.Value == quote || r.Value == '\\')
        {
            sb.Append('\\').Append((char)r.Value);
            return;
        }

        if (IsPrint(r))
        {
            sb.Append(r.ToString());
            return;
        }

        switch (r.Value)
        {
            case '\a': sb.Append("\\a"); return;
            case '\b': sb.Append("\\b"); return;
            case '\f': sb.Append("\\f"); return;
            case '\n': sb.Append("\\n"); return;
            case '\r': sb.Append("\\r"); return;
            case '\t': sb.Append("\\t"); return;
            case '\v': sb.Append("\\v"); return;
        }

        if (r.Value < ' ' || r.Value == 0x7F)
        {
            sb.Append("\\x").Append(r.Value.ToString("x2", CultureInfo.InvariantCulture));
        }
        else if (r.Value < 0x10000)
        {
            sb.Append("\\u").Append(r.Value.ToString("x4", CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append("\\U").Append(r.Value.ToString("x8", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrint(Rune r)
    {
        if (r.Value == ' ')
        {
            return true;
        }

        return System.Text.Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }
}
