using System.Text;

namespace Parma.Policy.Generation;

/// <summary>Builds RE2 patterns (the syntax the policy's regex.match uses) from literal text.</summary>
public static class RegexText
{
    private const string Special = "\\.+*?()|[]{}^$";

    public static string Escape(string literal)
    {
        var builder = new StringBuilder(literal.Length + 8);
        foreach (var c in literal)
        {
            if (Special.Contains(c, StringComparison.Ordinal))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    public static string Anchored(string pattern) => "^" + pattern + "$";

    /// <summary>The text an anchored pattern of only literal and escaped characters matches, if it is one.</summary>
    public static bool TryUnescapeLiteral(string pattern, out string literal)
    {
        literal = string.Empty;
        if (pattern.Length < 2 || pattern[0] != '^' || pattern[^1] != '$')
        {
            return false;
        }

        var builder = new StringBuilder();
        for (var i = 1; i < pattern.Length - 1; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length - 1 && Special.Contains(pattern[i + 1], StringComparison.Ordinal))
            {
                builder.Append(pattern[++i]);
            }
            else if (Special.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
            else
            {
                builder.Append(c);
            }
        }

        literal = builder.ToString();
        return true;
    }
}
