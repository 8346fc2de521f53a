using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Policy.Output;

/// <summary>
/// The one JSON form a policy is written in: object keys in ordinal order, two-space indentation,
/// LF line ends, and only the escapes JSON requires, so that the same input gives the same bytes on
/// every machine.
/// </summary>
public static class CanonicalJson
{
    public static string Write(JsonNode? node)
    {
        var builder = new StringBuilder();
        WriteNode(builder, node, 0);
        return builder.ToString();
    }

    private static void WriteNode(StringBuilder builder, JsonNode? node, int depth)
    {
        switch (node)
        {
            case null:
                builder.Append("null");
                break;
            case JsonObject obj:
                WriteObject(builder, obj, depth);
                break;
            case JsonArray array:
                WriteArray(builder, array, depth);
                break;
            case JsonValue value:
                WriteValue(builder, value);
                break;
        }
    }

    private static void WriteObject(StringBuilder builder, JsonObject obj, int depth)
    {
        if (obj.Count == 0)
        {
            builder.Append("{}");
            return;
        }

        builder.Append("{\n");
        var first = true;
        foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!first)
            {
                builder.Append(",\n");
            }

            first = false;
            Indent(builder, depth + 1);
            WriteString(builder, key);
            builder.Append(": ");
            WriteNode(builder, value, depth + 1);
        }

        builder.Append('\n');
        Indent(builder, depth);
        builder.Append('}');
    }

    private static void WriteArray(StringBuilder builder, JsonArray array, int depth)
    {
        if (array.Count == 0)
        {
            builder.Append("[]");
            return;
        }

        // Arrays of scalars stay on one line: commands, env and options read better that way.
        if (array.All(e => e is JsonValue or null))
        {
            builder.Append('[');
            for (var i = 0; i < array.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(", ");
                }

                WriteNode(builder, array[i], depth);
            }

            builder.Append(']');
            return;
        }

        builder.Append("[\n");
        for (var i = 0; i < array.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(",\n");
            }

            Indent(builder, depth + 1);
            WriteNode(builder, array[i], depth + 1);
        }

        builder.Append('\n');
        Indent(builder, depth);
        builder.Append(']');
    }

    private static void WriteValue(StringBuilder builder, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(builder, value.GetValue<string>());
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            case JsonValueKind.Number:
                builder.Append(CanonicalNumber(value));
                break;
            default:
                builder.Append("null");
                break;
        }
    }

    private static string CanonicalNumber(JsonValue value)
    {
        var text = value.ToJsonString();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer.ToString(CultureInfo.InvariantCulture);
        }

        var real = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return real == Math.Floor(real) && Math.Abs(real) < 1e15
            ? ((long)real).ToString(CultureInfo.InvariantCulture)
            : real.ToString("R", CultureInfo.InvariantCulture);
    }

    public static void WriteString(StringBuilder builder, string s)
    {
        builder.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case < ' ':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        builder.Append('"');
    }

    private static void Indent(StringBuilder builder, int depth) => builder.Append(' ', depth * 2);
}
