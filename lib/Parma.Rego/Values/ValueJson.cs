using System.Text;
using System.Text.Json;

namespace Parma.Rego;

public abstract partial class Value
{
    public static Value FromJson(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 512 });
            return FromJson(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new RegoException(RegoException.Codes.BuiltinError, $"invalid JSON: {e.Message}");
        }
        catch (ArgumentException e)
        {
            // The text is not valid UTF-16 (a lone surrogate), so it cannot be JSON.
            throw new RegoException(RegoException.Codes.BuiltinError, $"invalid JSON: {e.Message}");
        }
    }

    public static Value FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return Null;
            case JsonValueKind.True:
                return True;
            case JsonValueKind.False:
                return False;
            case JsonValueKind.String:
                return String(element.GetString()!);
            case JsonValueKind.Number:
                return NumberValue.Parse(element.GetRawText())
                    ?? throw new RegoException(RegoException.Codes.BuiltinError, $"invalid number {element.GetRawText()}");
            case JsonValueKind.Array:
            {
                var items = new Value[element.GetArrayLength()];
                var i = 0;
                foreach (var e in element.EnumerateArray())
                {
                    items[i++] = FromJson(e);
                }

                return Array(items);
            }

            case JsonValueKind.Object:
            {
                var dict = new Dictionary<Value, Value>();
                foreach (var p in element.EnumerateObject())
                {
                    dict[String(p.Name)] = FromJson(p.Value);
                }

                return ObjectValue.FromDictionary(dict);
            }

            default:
                throw new RegoException(RegoException.Codes.BuiltinError, $"unsupported JSON value {element.ValueKind}");
        }
    }

    /// <summary>Canonical JSON: object keys sorted, sets as sorted arrays; non-ASCII text is not escaped.</summary>
    public string ToJson(bool indented = false)
    {
        var sb = new StringBuilder();
        WriteJson(sb, indented, 0);
        return sb.ToString();
    }

    private void WriteJson(StringBuilder sb, bool indented, int depth)
    {
        switch (this)
        {
            case NullValue:
                sb.Append("null");
                break;
            case BooleanValue b:
                sb.Append(b.BoolValue ? "true" : "false");
                break;
            case NumberValue n:
                sb.Append(n.ToText());
                break;
            case StringValue s:
                sb.Append(Quote(s.Text));
                break;
            case ArrayValue a:
                WriteItems(sb, a.Items, indented, depth);
                break;
            case SetValue set:
                WriteItems(sb, set.Items, indented, depth);
                break;
            case ObjectValue o:
                if (o.Count == 0)
                {
                    sb.Append("{}");
                    break;
                }

                sb.Append('{');
                for (var i = 0; i < o.KeyArray.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    NewLine(sb, indented, depth + 1);
                    sb.Append(Quote(o.KeyArray[i] is StringValue ks ? ks.Text : o.KeyArray[i].ToJson()));
                    sb.Append(indented ? ": " : ":");
                    o.ValueArray[i].WriteJson(sb, indented, depth + 1);
                }

                NewLine(sb, indented, depth);
                sb.Append('}');
                break;
        }
    }

    private static void WriteItems(StringBuilder sb, Value[] items, bool indented, int depth)
    {
        if (items.Length == 0)
        {
            sb.Append("[]");
            return;
        }

        sb.Append('[');
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            NewLine(sb, indented, depth + 1);
            items[i].WriteJson(sb, indented, depth + 1);
        }

        NewLine(sb, indented, depth);
        sb.Append(']');
    }

    private static void NewLine(StringBuilder sb, bool indented, int depth)
    {
        if (indented)
        {
            sb.Append('\n').Append(' ', depth * 2);
        }
    }

    /// <summary>JSON string literal; non-ASCII characters are written as UTF-8, not escaped.</summary>
    public static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2);
        sb.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case < ' ': sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Rego source form (sets as {…}, empty set as set()).</summary>
    public string ToRegoString()
    {
        switch (this)
        {
            case SetValue { Count: 0 }:
                return "set()";
            case SetValue set:
                return "{" + string.Join(", ", set.Items.Select(i => i.ToRegoString())) + "}";
            case ArrayValue a:
                return "[" + string.Join(", ", a.Items.Select(i => i.ToRegoString())) + "]";
            case ObjectValue o:
                return "{" + string.Join(", ", o.Pairs.Select(p => p.Key.ToRegoString() + ": " + p.Value.ToRegoString())) + "}";
            default:
                return ToJson();
        }
    }
}
