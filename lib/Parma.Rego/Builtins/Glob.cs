using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Parma.Rego.Builtins;

/// <summary>
/// glob.match and glob.quote_meta with the glob syntax OPA uses (gobwas/glob): <c>*</c> any run of characters
/// other than the delimiters, <c>**</c> any run, <c>?</c> one non-delimiter character, <c>[abc]</c>, <c>[a-z]</c>,
/// <c>[!…]</c> one character in or out of a class, <c>{a,b}</c> alternatives, <c>\</c> escapes.
/// </summary>
internal static class Glob
{
    private static readonly ConcurrentDictionary<(string, string), Regex> Cache = new();

    public static void Register(Registrar add)
    {
        add("glob.match", 3, a =>
        {
            var pattern = Args.Str("glob.match", a, 0);
            var delimiters = a[1] switch
            {
                NullValue => string.Empty,
                ArrayValue arr => Delimiters(arr),
                _ => throw Args.TypeError("glob.match", 2, "one of {null, array}", a[1]),
            };
            var text = Args.Str("glob.match", a, 2);
            return Value.Bool(Compile(pattern, delimiters).IsMatch(text));
        });
        add("glob.quote_meta", 1, a =>
        {
            var text = Args.Str("glob.quote_meta", a, 0);
            var sb = new StringBuilder(text.Length);
            foreach (var c in text)
            {
                if ("*?\\[]{}".Contains(c, StringComparison.Ordinal))
                {
                    sb.Append('\\');
                }

                sb.Append(c);
            }

            return Value.String(sb.ToString());
        });
    }

    private static string Delimiters(ArrayValue arr)
    {
        var sb = new StringBuilder();
        foreach (var item in arr.Items)
        {
            if (item is not StringValue s)
            {
                throw Args.TypeError("glob.match", 2, "array of strings", arr);
            }

            if (s.Text.Length > 0)
            {
                sb.Append(char.ConvertFromUtf32(char.ConvertToUtf32(s.Text, 0)));
            }
        }

        return sb.Length == 0 ? "." : sb.ToString();
    }

    internal static Regex Compile(string pattern, string delimiters)
    {
        if (Cache.TryGetValue((pattern, delimiters), out var cached))
        {
            return cached;
        }

        var position = 0;
        var body = Sequence(pattern, ref position, delimiters, inAlternatives: false);
        if (position != pattern.Length)
        {
            throw Args.Error("glob.match", $"unexpected '{pattern[position]}' at {position} in pattern {pattern}");
        }

        var regex = new Regex($"\\A(?:{body})\\z", RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        if (Cache.Count < 1024)
        {
            Cache.TryAdd((pattern, delimiters), regex);
        }

        return regex;
    }

    private static string NotDelimiter(string delimiters) =>
        delimiters.Length == 0 ? "." : $"[^{Regex.Escape(delimiters).Replace("]", "\\]", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal)}]";

    private static string Sequence(string p, ref int i, string delimiters, bool inAlternatives)
    {
        var sb = new StringBuilder();
        while (i < p.Length)
        {
            var c = p[i];
            if (inAlternatives && c is ',' or '}')
            {
                break;
            }

            switch (c)
            {
                case '*':
                    if (i + 1 < p.Length && p[i + 1] == '*')
                    {
                        sb.Append(".*");
                        i += 2;
                    }
                    else
                    {
                        sb.Append(NotDelimiter(delimiters)).Append('*');
                        i++;
                    }

                    break;
                case '?':
                    sb.Append(NotDelimiter(delimiters));
                    i++;
                    break;
                case '[':
                    sb.Append(Class(p, ref i));
                    break;
                case '{':
                    i++;
                    var alternatives = new List<string>();
                    while (true)
                    {
                        alternatives.Add(Sequence(p, ref i, delimiters, inAlternatives: true));
                        if (i >= p.Length)
                        {
                            throw Args.Error("glob.match", $"unexpected end of pattern {p}: '{{' is not closed");
                        }

                        if (p[i++] == '}')
                        {
                            break;
                        }
                    }

                    sb.Append("(?:").Append(string.Join('|', alternatives)).Append(')');
                    break;
                case '\\':
                    if (i + 1 >= p.Length)
                    {
                        throw Args.Error("glob.match", $"unexpected end of pattern {p} after '\\'");
                    }

                    sb.Append(Regex.Escape(p[i + 1].ToString()));
                    i += 2;
                    break;
                case ']' or '}':
                    throw Args.Error("glob.match", $"unexpected '{c}' at {i} in pattern {p}");
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    i++;
                    break;
            }
        }

        return sb.ToString();
    }

    private static string Class(string p, ref int i)
    {
        var close = p.IndexOf(']', i + 1);
        if (close < 0)
        {
            throw Args.Error("glob.match", $"unexpected end of pattern {p}: '[' is not closed");
        }

        var inner = p[(i + 1)..close];
        i = close + 1;
        var negated = inner.StartsWith('!');
        if (negated)
        {
            inner = inner[1..];
        }

        if (inner.Length == 0)
        {
            throw Args.Error("glob.match", $"empty character class in pattern {p}");
        }

        var sb = new StringBuilder(negated ? "[^" : "[");
        if (inner.Length == 3 && inner[1] == '-')
        {
            sb.Append(Escape(inner[0])).Append('-').Append(Escape(inner[2]));
        }
        else
        {
            foreach (var c in inner)
            {
                sb.Append(Escape(c));
            }
        }

        return sb.Append(']').ToString();
    }

    private static string Escape(char c) => c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString();
}
