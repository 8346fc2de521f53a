using System.Collections;
using System.Collections.Concurrent;
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

    private static readonly ConcurrentDictionary<MessageDescriptor, MessagePlan> Plans = new();

    /// <summary>What a message type becomes: its non-synthetic oneofs, then its other fields in declaration order, with the object's keys sorted once.</summary>
    private sealed class MessagePlan
    {
        public MessagePlan(MessageDescriptor descriptor)
        {
            Oneofs = descriptor.Oneofs.Where(o => !o.IsSynthetic).ToArray();
            Fields = descriptor.Fields.InDeclarationOrder().Where(f => f.RealContainingOneof is null).ToArray();
            Shape = new ObjectShape([.. Oneofs.Select(o => o.Name), .. Fields.Select(f => RustFieldNames.Of(f.Name))]);
        }

        public OneofDescriptor[] Oneofs { get; }

        public FieldDescriptor[] Fields { get; }

        public ObjectShape Shape { get; }
    }

    private static Value Message(IMessage message)
    {
        var plan = Plans.GetOrAdd(message.Descriptor, d => new MessagePlan(d));
        var values = new Value[plan.Shape.NameCount];
        var n = 0;
        foreach (var oneof in plan.Oneofs)
        {
            var set = oneof.Accessor.GetCaseFieldDescriptor(message);
            values[n++] = set is null
                ? Value.Null
                : Value.Object([KeyValuePair.Create(RustFieldNames.Of(set.Name), Scalar(set, set.Accessor.GetValue(message)))]);
        }

        foreach (var field in plan.Fields)
        {
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

            values[n++] = value;
        }

        return plan.Shape.Create(values);
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
