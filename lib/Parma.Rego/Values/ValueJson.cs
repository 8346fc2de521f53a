using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Parma.Rego;

public abstract partial class Value
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

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

    /// <summary>Canonical JSON: object keys sorted, sets as sorted arrays, no insignificant whitespace.</summary>
    public string ToJson(bool indented = false)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented, Encoder = Encoder, SkipValidation = true, MaxDepth = 100000 }))
        {
            WriteJson(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public void WriteJson(Utf8JsonWriter writer)
    {
        switch (this)
        {
            case NullValue:
                writer.WriteNullValue();
                break;
            case BooleanValue b:
                writer.WriteBooleanValue(b.BoolValue);
                break;
            case NumberValue n:
                writer.WriteRawValue(n.ToText(), skipInputValidation: true);
                break;
            case StringValue s:
                writer.WriteStringValue(s.Text);
                break;
            case ArrayValue a:
                writer.WriteStartArray();
                foreach (var item in a.Items)
                {
                    item.WriteJson(writer);
                }

                writer.WriteEndArray();
                break;
            case SetValue set:
                writer.WriteStartArray();
                foreach (var item in set.Items)
                {
                    item.WriteJson(writer);
                }

                writer.WriteEndArray();
                break;
            case ObjectValue o:
                writer.WriteStartObject();
                for (var i = 0; i < o.KeyArray.Length; i++)
                {
                    writer.WritePropertyName(o.KeyArray[i] is StringValue ks ? ks.Text : o.KeyArray[i].ToJson());
                    o.ValueArray[i].WriteJson(writer);
                }

                writer.WriteEndObject();
                break;
        }
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
