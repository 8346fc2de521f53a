using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>
/// regex.template_match(template, value, start, end): the template is literal text with RE2 patterns between the
/// start and end delimiters (which may nest inside a pattern, as in {[0-9]{3}}); the whole value must match.
/// </summary>
internal static class RegexTemplate
{
    private const string Name = "regex.template_match";

    public static void Register(Registrar add)
    {
        add(Name, 4, a =>
        {
            var template = Args.Str(Name, a, 0);
            var value = Args.Str(Name, a, 1);
            var start = Delimiter(Args.Str(Name, a, 2));
            var end = Delimiter(Args.Str(Name, a, 3));
            var pattern = new StringBuilder("^");
            var literal = new StringBuilder();
            var i = 0;
            while (i < template.Length)
            {
                if (template[i] != start)
                {
                    literal.Append(template[i++]);
                    continue;
                }

                pattern.Append(QuoteMeta(literal.ToString()));
                literal.Clear();
                var level = 1;
                var j = i + 1;
                for (; j < template.Length && level > 0; j++)
                {
                    if (template[j] == start)
                    {
                        level++;
                    }
                    else if (template[j] == end)
                    {
                        level--;
                    }
                }

                if (level != 0)
                {
                    throw Args.Error(Name, $"unbalanced braces in {Value.Quote(template)}");
                }

                pattern.Append("(?:").Append(template[(i + 1)..(j - 1)]).Append(')');
                i = j;
            }

            if (template.Contains(end, StringComparison.Ordinal) && literal.ToString().Contains(end, StringComparison.Ordinal))
            {
                throw Args.Error(Name, $"unbalanced braces in {Value.Quote(template)}");
            }

            pattern.Append(QuoteMeta(literal.ToString())).Append('$');
            return Value.Bool(Re2.Get(Name, pattern.ToString()).Regex.IsMatch(value));
        });
    }

    private static char Delimiter(string text) =>
        text.Length == 1 ? text[0] : throw Args.Error(Name, $"delimiter {Value.Quote(text)} must be a single character");

    private static string QuoteMeta(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (@"\.+*?()|[]{}^$".Contains(c, StringComparison.Ordinal))
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
