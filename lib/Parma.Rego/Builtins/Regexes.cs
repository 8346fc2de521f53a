using System.Text;
using System.Text.RegularExpressions;

namespace Parma.Rego.Builtins;

/// <summary>regex.* builtins over RE2-translated patterns, with Go's match iteration and replacement templates.</summary>
internal static class Regexes
{
    public static void Register(Registrar add)
    {
        add("regex.match", 2, a => Match("regex.match", a));
        add("re_match", 2, a => Match("re_match", a));
        add("regex.is_valid", 1, a =>
        {
            if (a[0] is not StringValue s)
            {
                return Value.False;
            }

            try
            {
                Re2.Get("regex.is_valid", s.Text);
                return Value.True;
            }
            catch (RegoException)
            {
                return Value.False;
            }
        });
        add("regex.find_all_string_submatch_n", 3, a => Guarded("regex.find_all_string_submatch_n", () =>
        {
            const string name = "regex.find_all_string_submatch_n";
            var regex = Re2.Get(name, Args.Str(name, a, 0));
            var matches = Re2.FindAll(regex, Args.Str(name, a, 1), Args.SmallInt(name, a, 2));
            return Value.Array(matches.Select(m => Value.Array(m.Groups.Cast<Group>()
                .Select(g => Value.String(g.Success ? g.Value : string.Empty)))));
        }));
        add("regex.find_n", 3, a => Guarded("regex.find_n", () =>
        {
            var regex = Re2.Get("regex.find_n", Args.Str("regex.find_n", a, 0));
            return Value.Array(Re2.FindAll(regex, Args.Str("regex.find_n", a, 1), Args.SmallInt("regex.find_n", a, 2)).Select(m => Value.String(m.Value)));
        }));
        add("regex.split", 2, a => Guarded("regex.split", () =>
        {
            var regex = Re2.Get("regex.split", Args.Str("regex.split", a, 0));
            var s = Args.Str("regex.split", a, 1);
            if (s.Length == 0)
            {
                return Value.Array(Value.EmptyString);
            }

            var parts = new List<Value>();
            int begin = 0, end = 0;
            foreach (var m in Re2.FindAll(regex, s, -1))
            {
                end = m.Index;
                if (m.Index + m.Length != 0)
                {
                    parts.Add(Value.String(s[begin..end]));
                }

                begin = m.Index + m.Length;
            }

            if (end != s.Length)
            {
                parts.Add(Value.String(s[begin..]));
            }

            return Value.Array(parts);
        }));
        add("regex.replace", 3, a => Guarded("regex.replace", () =>
        {
            var regex = Re2.Get("regex.replace", Args.Str("regex.replace", a, 1));
            return Value.String(ReplaceAll(regex, Args.Str("regex.replace", a, 0), Args.Str("regex.replace", a, 2)));
        }));
    }

    /// <summary>regex.match without a closure per call (it runs for most strings a policy checks).</summary>
    private static Value Match(string name, Value[] a)
    {
        try
        {
            return Value.Bool(Re2.Get(name, Args.Str(name, a, 0)).Regex.IsMatch(Args.Str(name, a, 1)));
        }
        catch (RegexMatchTimeoutException)
        {
            throw Args.Error(name, $"regular expression match exceeded {Re2.BacktrackingTimeout.TotalSeconds:0} s");
        }
    }

    private static Value Guarded(string name, Func<Value> action)
    {
        try
        {
            return action();
        }
        catch (RegexMatchTimeoutException)
        {
            throw Args.Error(name, $"regular expression match exceeded {Re2.BacktrackingTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Go's ReplaceAllString: matches as FindAll sees them, template expanded with $name / ${name} / $$.</summary>
    private static string ReplaceAll(Re2Regex regex, string input, string template)
    {
        var sb = new StringBuilder();
        var last = 0;
        foreach (var m in Re2.FindAll(regex, input, -1))
        {
            sb.Append(input, last, m.Index - last);
            Expand(sb, regex, m, template);
            last = m.Index + m.Length;
        }

        return sb.Append(input, last, input.Length - last).ToString();
    }

    private static void Expand(StringBuilder sb, Re2Regex regex, Match m, string template)
    {
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                sb.Append(c);
                continue;
            }

            if (template[i + 1] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }

            string? name = null;
            var end = i;
            if (template[i + 1] == '{')
            {
                var close = template.IndexOf('}', i + 2);
                if (close > i + 2 && IsName(template.AsSpan(i + 2, close - i - 2)))
                {
                    name = template[(i + 2)..close];
                    end = close;
                }
            }
            else
            {
                var j = i + 1;
                while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] == '_'))
                {
                    j++;
                }

                if (j > i + 1)
                {
                    name = template[(i + 1)..j];
                    end = j - 1;
                }
            }

            if (name is null)
            {
                // Not a reference: Go copies the `$` literally.
                sb.Append(c);
                continue;
            }

            var number = int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                ? n
                : regex.GroupNames.GetValueOrDefault(name, -1);
            var group = number >= 0 && number < m.Groups.Count ? m.Groups[number] : null;
            if (group is { Success: true })
            {
                sb.Append(group.Value);
            }

            i = end;
        }
    }

    private static bool IsName(ReadOnlySpan<char> s)
    {
        foreach (var ch in s)
        {
            if (!char.IsAsciiLetterOrDigit(ch) && ch != '_')
            {
                return false;
            }
        }

        return true;
    }
}
