namespace Parma.Rego.Builtins;

/// <summary>regex.* builtins over RE2-translated patterns.</summary>
internal static class Regexes
{
    public static void Register(Registrar add)
    {
        add("regex.match", 2, a => Value.Bool(Re2.Get("regex.match", Args.Str("regex.match", a, 0)).IsMatch(Args.Str("regex.match", a, 1))));
        add("re_match", 2, a => Value.Bool(Re2.Get("re_match", Args.Str("re_match", a, 0)).IsMatch(Args.Str("re_match", a, 1))));
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
        add("regex.find_all_string_submatch_n", 3, a =>
        {
            const string name = "regex.find_all_string_submatch_n";
            var regex = Re2.Get(name, Args.Str(name, a, 0));
            var matches = Re2.FindAll(regex, Args.Str(name, a, 1), Args.SmallInt(name, a, 2));
            return Value.Array(matches.Select(m => Value.Array(m.Groups.Cast<System.Text.RegularExpressions.Group>()
                .Select(g => Value.String(g.Success ? g.Value : string.Empty)))));
        });
        add("regex.find_n", 3, a =>
        {
            var regex = Re2.Get("regex.find_n", Args.Str("regex.find_n", a, 0));
            return Value.Array(Re2.FindAll(regex, Args.Str("regex.find_n", a, 1), Args.SmallInt("regex.find_n", a, 2)).Select(m => Value.String(m.Value)));
        });
        add("regex.split", 2, a =>
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
        });
        add("regex.replace", 3, a =>
        {
            var regex = Re2.Get("regex.replace", Args.Str("regex.replace", a, 1));
            return Value.String(regex.Replace(Args.Str("regex.replace", a, 0), Args.Str("regex.replace", a, 2)));
        });
    }
}
