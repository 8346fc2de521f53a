using System.Collections;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Parma.Rego;

namespace Parma.Agent.Protocol;

/// <summary>
/// The policy input of a request built directly as a Rego value: the same document as
/// <see cref="PolicyInput.From"/>, without going through JSON text (the agent's hot path).
/// </summary>
public static class PolicyValue
{
    public static Value From(IMessage request) =>
        request is CopyFileRequest ? Value.FromJson(PolicyInput.From(request).ToJsonString()) : Message(request);

    private static Value Message(IMessage message)
    {
        var pairs = new List<KeyValuePair<string, Value>>(message.Descriptor.Fields.InDeclarationOrder().Count);
        foreach (var oneof in message.Descriptor.Oneofs.Where(o => !o.IsSynthetic))
        {
            var set = oneof.Accessor.GetCaseFieldDescriptor(message);
            pairs.Add(KeyValuePair.Create(oneof.Name, set is null
                ? Value.Null
                : Value.Object([KeyValuePair.Create(RustFieldNames.Of(set.Name), Scalar(set, set.Accessor.GetValue(message)))])));
        }

        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (field.RealContainingOneof is not null)
            {
                continue;
            }

            Value value;
            if (field.IsMap)
            {
                var valueField = field.MessageType.FindFieldByNumber(2);
                var entries = new List<KeyValuePair<string, Value>>();
                foreach (DictionaryEntry entry in (IDictionary)field.Accessor.GetValue(message))
                {
                    entries.Add(KeyValuePair.Create(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!, Scalar(valueField, entry.Value)));
                }

                value = entries.Count == 0 ? Value.EmptyObject : Value.Object(entries);
            }
            else if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                var items = new Value[list.Count];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = Scalar(field, list[i]);
                }

                value = Value.Array(items);
            }
            else if (field.HasPresence && !field.Accessor.HasValue(message))
            {
                value = Value.Null;
            }
            else
            {
                value = Scalar(field, field.Accessor.GetValue(message));
            }

            pairs.Add(KeyValuePair.Create(RustFieldNames.Of(field.Name), value));
        }

        return Value.Object(pairs);
    }

    private static Value Scalar(FieldDescriptor field, object? value) => field.FieldType switch
    {
        _ when value is null => Value.Null,
        FieldType.Message or FieldType.Group => Message((IMessage)value),
        FieldType.Enum => Value.Number(Convert.ToInt32(value, CultureInfo.InvariantCulture)),
        FieldType.Bytes => Value.Array(((ByteString)value).Select(b => Value.Number(b)).ToArray()),
        FieldType.String => Value.String((string)value),
        FieldType.Bool => Value.Bool((bool)value),
        FieldType.Double => Value.Number((double)value),
        FieldType.Float => Value.Number((double)(float)value),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => Value.Number((long)value),
        FieldType.UInt64 or FieldType.Fixed64 => (ulong)value <= long.MaxValue ? Value.Number((long)(ulong)value) : Value.Number(new System.Numerics.BigInteger((ulong)value)),
        FieldType.UInt32 or FieldType.Fixed32 => Value.Number((uint)value),
        _ => Value.Number((int)value),
    };
}
