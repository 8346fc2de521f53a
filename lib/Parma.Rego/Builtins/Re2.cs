using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Parma.Rego.Builtins;

/// <summary>
/// Translates RE2 (Go) syntax to an equivalent .NET regex and caches the result. `$` means end of text
/// (not before a trailing newline), \d \w \s and \b are ASCII, and constructs RE2 lacks (lookaround,
/// backreferences, atomic groups) are rejected. Matching is linear-time (NonBacktracking), as in RE2.
/// </summary>
internal static class Re2
{
    private const int CacheLimit = 4096;
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    public static Regex Get(string name, string pattern)
    {
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }

        var regex = Compile(name, pattern);
        if (Cache.Count >= CacheLimit)
        {
            Cache.Clear();
        }

        Cache[pattern] = regex;
        return regex;
    }

    private static Regex Compile(string name, string pattern)
    {
        var translated = Translate(name, pattern);
        try
        {
            return new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (ArgumentException e)
        {
            throw Args.Error(name, $"error parsing regexp: {e.Message}");
        }
        catch (NotSupportedException e)
        {
            throw Args.Error(name, $"error parsing regexp: unsupported construct: {e.Message}");
        }
    }

    internal static string Translate(string name, string pattern)
    {
        var sb = new StringBuilder(pattern.Length + 16);
        var multiline = false;
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 >= pattern.Length)
                {
                    throw Args.Error(name, "error parsing regexp: trailing backslash at end of expression");
                }

                var e = pattern[++i];
                switch (e)
                {
                    case 'd': sb.Append(inClass ? "0-9" : "[0-9]"); break;
                    case 'D': sb.Append(inClass ? Reject(name, "\\D inside a character class") : "[^0-9]"); break;
                    case 'w': sb.Append(inClass ? "0-9A-Za-z_" : "[0-9A-Za-z_]"); break;
                    case 'W': sb.Append(inClass ? Reject(name, "\\W inside a character class") : "[^0-9A-Za-z_]"); break;
                    case 's': sb.Append(inClass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]"); break;
                    case 'S': sb.Append(inClass ? Reject(name, "\\S inside a character class") : "[^\\t\\n\\f\\r ]"); break;
                    case 'b' or 'B' when !inClass: sb.Append('\\').Append(e); break;
                    case 'A': sb.Append("\\A"); break;
                    case 'z': sb.Append("\\z"); break;
                    case 'Z': return Reject(name, "invalid escape sequence: \\Z");
                    case >= '1' and <= '9': return Reject(name, $"invalid escape sequence: \\{e} (backreferences are not supported)");
                    case 'p' or 'P':
                        if (i + 1 < pattern.Length && pattern[i + 1] != '{')
                        {
                            sb.Append('\\').Append(e).Append('{').Append(pattern[++i]).Append('}');
                        }
                        else
                        {
                            sb.Append('\\').Append(e);
                        }

                        break;
                    case 'x' when i + 1 < pattern.Length && pattern[i + 1] == '{':
                    {
                        var end = pattern.IndexOf('}', i);
                        if (end < 0)
                        {
                            return Reject(name, "invalid escape sequence: \\x{");
                        }

                        var code = int.Parse(pattern.AsSpan(i + 2, end - i - 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                        sb.Append(Regex.Escape(char.ConvertFromUtf32(code)));
                        i = end;
                        break;
                    }

                    case 'Q':
                    {
                        var end = pattern.IndexOf("\\E", i, StringComparison.Ordinal);
                        var literal = end < 0 ? pattern[(i + 1)..] : pattern[(i + 1)..end];
                        sb.Append(Regex.Escape(literal));
                        i = end < 0 ? pattern.Length : end + 1;
                        break;
                    }

                    default:
                        if (char.IsAsciiLetter(e) && "afnrtvx".IndexOf(e, StringComparison.Ordinal) < 0 && !(inClass && e == 'b'))
                        {
                            return Reject(name, $"invalid escape sequence: \\{e}");
                        }

                        sb.Append('\\').Append(e);
                        break;
                }

                continue;
            }

            if (inClass)
            {
                if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
                {
                    var end = pattern.IndexOf(":]", i, StringComparison.Ordinal);
                    if (end > 0)
                    {
                        sb.Append(PosixClass(name, pattern[(i + 2)..end]));
                        i = end + 1;
                        continue;
                    }
                }

                if (c == '[')
                {
                    sb.Append("\\[");
                    continue;
                }

                if (c == ']' && sb[^1] != '[' && !(sb[^1] == '^' && sb[^2] == '['))
                {
                    inClass = false;
                }

                sb.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    sb.Append('[');
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    {
                        sb.Append('^');
                        i++;
                    }

                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        sb.Append("\\]");
                        i++;
                    }

                    break;
                case '$':
                    sb.Append(multiline ? "$" : "\\z");
                    break;
                case '(' when i + 1 < pattern.Length && pattern[i + 1] == '?':
                {
                    var rest = pattern.AsSpan(i + 2);
                    if (rest.StartsWith("P<"))
                    {
                        sb.Append("(?<");
                        i += 3;
                    }
                    else if (rest.StartsWith("<") || rest.StartsWith("=") || rest.StartsWith("!") || rest.StartsWith(">") || rest.StartsWith("#") || rest.StartsWith("'") || rest.StartsWith("("))
                    {
                        return Reject(name, "invalid or unsupported Perl syntax: `(?" + (rest.Length > 0 ? rest[0] : ' ') + "`");
                    }
                    else
                    {
                        var close = pattern.IndexOfAny([':', ')'], i + 2);
                        if (close < 0)
                        {
                            return Reject(name, "missing closing )");
                        }

                        var flags = pattern[(i + 2)..close];
                        if (flags.Any(f => "imsU-".IndexOf(f, StringComparison.Ordinal) < 0))
                        {
                            return Reject(name, $"invalid or unsupported Perl syntax: `(?{flags}`");
                        }

                        if (flags.Contains('U', StringComparison.Ordinal))
                        {
                            return Reject(name, "the U (ungreedy) flag is not supported");
                        }

                        if (flags.Contains('m', StringComparison.Ordinal) && !flags.StartsWith('-'))
                        {
                            multiline = true;
                        }

                        sb.Append("(?").Append(flags).Append(pattern[close]);
                        i = close;
                    }

                    break;
                }

                default:
                    sb.Append(c);
                    break;
            }
        }

        return sb.ToString();
    }

    private static string PosixClass(string name, string cls) => cls switch
    {
        "alpha" => "A-Za-z",
        "digit" => "0-9",
        "alnum" => "0-9A-Za-z",
        "upper" => "A-Z",
        "lower" => "a-z",
        "space" => "\\t\\n\\v\\f\\r ",
        "xdigit" => "0-9A-Fa-f",
        "word" => "0-9A-Za-z_",
        "punct" => "!-/:-@\\[-`{-~",
        "blank" => "\\t ",
        "cntrl" => "\\x00-\\x1F\\x7F",
        "print" => " -~",
        "graph" => "!-~",
        "ascii" => "\\x00-\\x7F",
        _ => Reject(name, $"invalid character class range: [:{cls}:]"),
    };

    private static string Reject(string name, string message) => throw Args.Error(name, "error parsing regexp: " + message);

    /// <summary>Go's FindAll: empty matches directly after a previous match are skipped.</summary>
    public static List<Match> FindAll(Regex regex, string input, int n)
    {
        var result = new List<Match>();
        var previousEnd = -1;
        for (var m = regex.Match(input); m.Success && (n < 0 || result.Count < n); m = m.NextMatch())
        {
            if (m.Length == 0 && m.Index == previousEnd)
            {
                continue;
            }

            result.Add(m);
            previousEnd = m.Index + m.Length;
        }

        return result;
    }
}
