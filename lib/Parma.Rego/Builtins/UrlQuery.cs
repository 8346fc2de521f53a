using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>urlquery.* with Go's net/url query escaping (space as '+', only A-Z a-z 0-9 - _ . ~ unescaped).</summary>
internal static class UrlQuery
{
    public static void Register(Registrar add)
    {
        add("urlquery.encode", 1, a => Value.String(Escape(Args.Str("urlquery.encode", a, 0))));
        add("urlquery.decode", 1, a => Value.String(Unescape("urlquery.decode", Args.Str("urlquery.decode", a, 0))));
        add("urlquery.encode_object", 1, a =>
        {
            var obj = Args.Obj("urlquery.encode_object", a, 0);
            var parts = new List<string>();
            foreach (var (key, value) in obj.Pairs.Select(p => (p.Key, p.Value)))
            {
                var k = key is StringValue ks ? ks.Text : throw Args.TypeError("urlquery.encode_object", 1, "object[string: string|array|set]", a[0]);
                IEnumerable<Value> values = value switch
                {
                    StringValue => [value],
                    ArrayValue arr => arr.Items,
                    SetValue set => set.Items,
                    _ => throw Args.TypeError("urlquery.encode_object", 1, "object[string: string|array|set]", a[0]),
                };
                foreach (var v in values)
                {
                    var text = v is StringValue vs ? vs.Text : throw Args.TypeError("urlquery.encode_object", 1, "object[string: string|array|set]", a[0]);
                    parts.Add(Escape(k) + "=" + Escape(text));
                }
            }

            return Value.String(string.Join('&', parts));
        });
        add("urlquery.decode_object", 1, a =>
        {
            var text = Args.Str("urlquery.decode_object", a, 0);
            var result = new SortedDictionary<string, List<Value>>(StringComparer.Ordinal);
            foreach (var part in text.Split('&'))
            {
                if (part.Length == 0)
                {
                    continue;
                }

                if (part.Contains(';', StringComparison.Ordinal))
                {
                    throw Args.Error("urlquery.decode_object", "invalid semicolon separator in query");
                }

                var eq = part.IndexOf('=', StringComparison.Ordinal);
                var key = Unescape("urlquery.decode_object", eq < 0 ? part : part[..eq]);
                var value = eq < 0 ? string.Empty : Unescape("urlquery.decode_object", part[(eq + 1)..]);
                if (!result.TryGetValue(key, out var list))
                {
                    result[key] = list = [];
                }

                list.Add(Value.String(value));
            }

            return Value.Object(result.Select(kv => new KeyValuePair<string, Value>(kv.Key, Value.Array(kv.Value))));
        });
    }

    internal static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append(((int)b).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    internal static string Unescape(string name, string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !Uri.IsHexDigit(text[i + 1]) || !Uri.IsHexDigit(text[i + 2]))
                {
                    var end = Math.Min(text.Length, i + 3);
                    throw Args.Error(name, $"invalid URL escape \"{text[i..end]}\"");
                }

                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text.Substring(i, 2)));
                i++;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
