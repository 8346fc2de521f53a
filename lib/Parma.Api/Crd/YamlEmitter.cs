using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Api;

/// <summary>
/// Deterministic block-style YAML for a JSON document: every string double-quoted with JSON escapes
/// (valid YAML, never re-typed by a YAML reader), keys plain when they are simple words.
/// </summary>
public static class YamlEmitter
{
    public static string Write(JsonNode node)
    {
        var text = new StringBuilder();
        WriteValue(text, node, 0, inSequence: false);
        return text.ToString();
    }

    private static void WriteValue(StringBuilder text, JsonNode? node, int indent, bool inSequence)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                var first = true;
                foreach (var (key, value) in obj)
                {
                    if (!(first && inSequence))
                    {
                        text.Append(' ', indent);
                    }

                    first = false;
                    text.Append(Key(key)).Append(':');
                    WriteChild(text, value, indent);
                }

                break;
            case JsonArray array when array.Count > 0:
                foreach (var item in array)
                {
                    text.Append(' ', indent).Append("- ");
                    if (item is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                    {
                        if (item is JsonArray)
                        {
                            text.Append('\n');
                            WriteValue(text, item, indent + 2, inSequence: false);
                        }
                        else
                        {
                            WriteValue(text, item, indent + 2, inSequence: true);
                        }
                    }
                    else
                    {
                        text.Append(Scalar(item)).Append('\n');
                    }
                }

                break;
            default:
                text.Append(Scalar(node)).Append('\n');
                break;
        }
    }

    private static void WriteChild(StringBuilder text, JsonNode? value, int indent)
    {
        if (value is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
        {
            text.Append('\n');
            WriteValue(text, value, value is JsonArray ? indent : indent + 2, inSequence: false);
        }
        else
        {
            text.Append(' ').Append(Scalar(value)).Append('\n');
        }
    }

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue value when value.GetValueKind() == JsonValueKind.String =>
            JsonSerializer.Serialize(value.GetValue<string>(), EscapingOptions),
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False =>
            value.GetValueKind() == JsonValueKind.True ? "true" : "false",
        _ => node.ToJsonString(),
    };

    private static string Key(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/') && !char.IsAsciiDigit(key[0])
            ? key
            : JsonSerializer.Serialize(key, EscapingOptions);

    private static readonly JsonSerializerOptions EscapingOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
