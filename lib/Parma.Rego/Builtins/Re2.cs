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
    private static readonly ConcurrentDictionary<string, Re2Regex> Cache = new(StringComparer.Ordinal);

    public static Re2Regex Get(string name, string pattern)
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

    /// <summary>Bounds the backtracking engine, used only for patterns with \b or \B (ASCII word boundaries need lookarounds).</summary>
    internal static readonly TimeSpan BacktrackingTimeout = TimeSpan.FromSeconds(1);

    private static Re2Regex Compile(string name, string pattern)
    {
        var groupNames = new Dictionary<string, int>(StringComparer.Ordinal);
        var translated = Translate(name, pattern, out var needsLookaround, groupNames);
        try
        {
            var regex = needsLookaround
                ? new Regex(translated, RegexOptions.CultureInvariant, BacktrackingTimeout)
                : new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            return new Re2Regex(regex, groupNames);
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

    // RE2 matches code points; .NET matches UTF-16 units, so `.` and negated classes also take a whole surrogate pair.
    private const string SurrogatePair = "[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]";
    private const string AsciiWord = "[0-9A-Za-z_]";

    internal static string Translate(string name, string pattern) => Translate(name, pattern, out _, []);

    /// <summary>
    /// Named groups become plain capturing groups (RE2 numbers named and unnamed groups together, left to
    /// right; .NET numbers named groups last), with their numbers recorded in <paramref name="groupNames"/>.
    /// </summary>
    internal static string Translate(string name, string pattern, out bool needsLookaround, Dictionary<string, int> groupNames)
    {
        needsLookaround = false;
        var captures = 0;
        var sb = new StringBuilder(pattern.Length + 16);
        var flags = new RegexFlags(false, false);
        var groups = new Stack<RegexFlags>();
        var inClass = false;
        var negatedClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (inClass && char.IsSurrogate(c))
            {
                return Reject(name, "character classes with characters beyond U+FFFF are not supported");
            }

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
                    case 'b' when !inClass:
                        needsLookaround = true;
                        sb.Append($"(?:(?<={AsciiWord})(?!{AsciiWord})|(?<!{AsciiWord})(?={AsciiWord}))");
                        break;
                    case 'B' when !inClass:
                        needsLookaround = true;
                        sb.Append($"(?:(?<={AsciiWord})(?={AsciiWord})|(?<!{AsciiWord})(?!{AsciiWord}))");
                        break;
                    case 'A': sb.Append("\\A"); break;
                    case 'z': sb.Append("\\z"); break;
                    case 'Z': return Reject(name, "invalid escape sequence: \\Z");
                    case >= '1' and <= '7' when i + 1 < pattern.Length && pattern[i + 1] is >= '0' and <= '7':
                    case '0':
                    {
                        // Octal: \0 and \0NN, or \NN / \NNN starting with 1-7 (a lone \1-\9 would be a backreference).
                        var start = i;
                        var code = 0;
                        while (i < pattern.Length && i - start < 3 && pattern[i] is >= '0' and <= '7')
                        {
                            code = (code * 8) + (pattern[i++] - '0');
                        }

                        i--;
                        sb.Append($"\\u{code:X4}");
                        break;
                    }

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

                        if (!int.TryParse(pattern.AsSpan(i + 2, end - i - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
                        {
                            return Reject(name, "invalid escape sequence: \\x{" + pattern[(i + 2)..end] + "}");
                        }

                        if (code > 0xFFFF && inClass)
                        {
                            return Reject(name, "character classes with characters beyond U+FFFF are not supported");
                        }

                        sb.Append("(?:").Append(Regex.Escape(char.ConvertFromUtf32(code))).Append(')');
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
                    sb.Append(c);
                    if (negatedClass)
                    {
                        sb.Append(')');
                    }

                    continue;
                }

                sb.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    negatedClass = i + 1 < pattern.Length && pattern[i + 1] == '^';
                    if (negatedClass)
                    {
                        sb.Append("(?:").Append(SurrogatePair).Append("|[^");
                        i++;
                    }
                    else
                    {
                        sb.Append('[');
                    }

                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        sb.Append("\\]");
                        i++;
                    }

                    break;
                case '^':
                    // Same meaning as .NET's `^` without multi-line mode, but the non-backtracking engine runs the
                    // explicit start-of-text anchor about twice as fast on the policies' anchored patterns.
                    sb.Append(flags.Multiline ? "^" : "\\A");
                    break;
                case '$':
                    sb.Append(flags.Multiline ? "$" : "\\z");
                    break;
                case '.':
                    sb.Append("(?:").Append(SurrogatePair).Append(flags.DotAll ? "|[\\s\\S])" : "|[^\\n])");
                    break;
                case '(' when i + 1 >= pattern.Length || pattern[i + 1] != '?':
                    groups.Push(flags);
                    captures++;
                    sb.Append('(');
                    break;
                case ')':
                    if (groups.Count == 0)
                    {
                        return Reject(name, "unexpected )");
                    }

                    flags = groups.Pop();
                    sb.Append(')');
                    break;
                case '(' when i + 1 < pattern.Length && pattern[i + 1] == '?':
                {
                    var rest = pattern.AsSpan(i + 2);
                    if (rest.StartsWith("P<") || (rest.StartsWith("<") && !rest.StartsWith("<=") && !rest.StartsWith("<!")))
                    {
                        var nameStart = i + (rest[0] == 'P' ? 4 : 3);
                        var nameEnd = pattern.IndexOf('>', nameStart);
                        var groupName = nameEnd < 0 ? string.Empty : pattern[nameStart..nameEnd];
                        if (groupName.Length == 0 || !groupName.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
                        {
                            return Reject(name, $"invalid named capture: `{pattern[i..Math.Min(pattern.Length, (nameEnd < 0 ? pattern.Length : nameEnd + 1))]}`");
                        }

                        if (!groupNames.TryAdd(groupName, ++captures))
                        {
                            return Reject(name, $"duplicate capture group name: `{groupName}`");
                        }

                        groups.Push(flags);
                        sb.Append('(');
                        i = nameEnd;
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

                        var spec = pattern[(i + 2)..close];
                        if (spec.Any(f => "imsU-".IndexOf(f, StringComparison.Ordinal) < 0) || spec.Count(f => f == '-') > 1 || spec.EndsWith('-') || (spec.Length == 0 && pattern[close] == ')'))
                        {
                            return Reject(name, $"invalid or unsupported Perl syntax: `(?{spec}{pattern[close]}`");
                        }

                        if (spec.Contains('U', StringComparison.Ordinal))
                        {
                            return Reject(name, "the U (ungreedy) flag is not supported");
                        }

                        // `(?flags:` opens a group with its own flags; `(?flags)` changes the flags until the enclosing group ends.
                        if (pattern[close] == ':')
                        {
                            groups.Push(flags);
                        }

                        flags = flags.Apply(spec);
                        sb.Append("(?").Append(spec).Append(pattern[close]);
                        i = close;
                    }

                    break;
                }

                default:
                    if (char.IsHighSurrogate(c) && i + 1 < pattern.Length && char.IsLowSurrogate(pattern[i + 1]))
                    {
                        // One code point, so a following quantifier applies to all of it.
                        sb.Append("(?:").Append(c).Append(pattern[++i]).Append(')');
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        if (inClass)
        {
            return Reject(name, "missing closing ]");
        }

        if (groups.Count > 0)
        {
            return Reject(name, "missing closing )");
        }

        return sb.ToString();
    }

    private readonly record struct RegexFlags(bool Multiline, bool DotAll)
    {
        public RegexFlags Apply(string spec)
        {
            var on = true;
            var result = this;
            foreach (var f in spec)
            {
                switch (f)
                {
                    case '-': on = false; break;
                    case 'm': result = result with { Multiline = on }; break;
                    case 's': result = result with { DotAll = on }; break;
                }
            }

            return result;
        }
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
    public static List<Match> FindAll(Re2Regex re2, string input, int n)
    {
        var result = new List<Match>();
        var previousEnd = -1;
        for (var m = re2.Regex.Match(input); m.Success && (n < 0 || result.Count < n); m = m.NextMatch())
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

/// <summary>A translated RE2 pattern: the .NET regex and RE2's capture group numbers by name.</summary>
internal sealed record Re2Regex(Regex Regex, IReadOnlyDictionary<string, int> GroupNames);
