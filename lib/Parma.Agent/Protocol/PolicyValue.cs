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

    /// <summary>How a field becomes a value, decided once per field instead of once per request.</summary>
    private enum FieldShape
    {
        Single,
        Optional,
        Repeated,
        Map,
    }

    /// <summary>A field with what the descriptor would otherwise compute on every read.</summary>
    private sealed class FieldPlan(FieldDescriptor field)
    {
        public FieldDescriptor Field { get; } = field;

        public IFieldAccessor Accessor { get; } = field.Accessor;

        public FieldType Type { get; } = field.FieldType;

        public FieldShape Shape { get; } =
            field.IsMap ? FieldShape.Map
            : field.IsRepeated ? FieldShape.Repeated
            : field.HasPresence ? FieldShape.Optional
            : FieldShape.Single;

        /// <summary>For a map, its value field (field 2 of the entry message).</summary>
        public FieldPlan? MapValue { get; } = field.IsMap ? new FieldPlan(field.MessageType.FindFieldByNumber(2)) : null;
    }

    /// <summary>What a message type becomes: its non-synthetic oneofs, then its other fields in declaration order, with the object's keys sorted once.</summary>
    private sealed class MessagePlan
    {
        public MessagePlan(MessageDescriptor descriptor)
        {
            Oneofs = descriptor.Oneofs.Where(o => !o.IsSynthetic).ToArray();
            var fields = descriptor.Fields.InDeclarationOrder().Where(f => f.RealContainingOneof is null).ToArray();
            Fields = fields.Select(f => new FieldPlan(f)).ToArray();
            Shape = new ObjectShape([.. Oneofs.Select(o => RustFieldNames.Of(o.Name)), .. fields.Select(f => RustFieldNames.Of(f.Name))]);
        }

        public OneofDescriptor[] Oneofs { get; }

        public FieldPlan[] Fields { get; }

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
                : Value.Object([KeyValuePair.Create(RustFieldNames.OfOneofMember(set.Name), Scalar(set.FieldType, set.Accessor.GetValue(message)))]);
        }

        foreach (var field in plan.Fields)
        {
            values[n++] = field.Shape switch
            {
                FieldShape.Map => Map(field, (IDictionary)field.Accessor.GetValue(message)),
                FieldShape.Repeated => Repeated(field.Type, (IList)field.Accessor.GetValue(message)),
                FieldShape.Optional when !field.Accessor.HasValue(message) => Value.Null,
                _ => Scalar(field.Type, field.Accessor.GetValue(message)),
            };
        }

        return plan.Shape.Create(values);
    }

    private static Value Map(FieldPlan field, IDictionary map)
    {
        if (map.Count == 0)
        {
            return Value.EmptyObject;
        }

        var valueType = field.MapValue!.Type;
        var entries = new List<KeyValuePair<string, Value>>(map.Count);
        foreach (DictionaryEntry entry in map)
        {
            entries.Add(KeyValuePair.Create(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!, Scalar(valueType, entry.Value)));
        }

        return Value.Object(entries);
    }

    private static Value Repeated(FieldType type, IList list)
    {
        if (list.Count == 0)
        {
            return Value.EmptyArray;
        }

        var items = new Value[list.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = Scalar(type, list[i]);
        }

        return Value.Array(items);
    }

    private static Value Scalar(FieldType type, object? value) => type switch
    {
        _ when value is null => Value.Null,
        FieldType.String => Value.String((string)value),
        FieldType.Message or FieldType.Group => Message((IMessage)value),
        FieldType.Bool => Value.Bool((bool)value),
        FieldType.Enum => Value.Number(Convert.ToInt32(value, CultureInfo.InvariantCulture)),
        FieldType.Bytes => Value.Array(((ByteString)value).Select(b => Value.Number(b)).ToArray()),
        FieldType.Double => Value.Number((double)value),
        FieldType.Float => Value.Number((double)(float)value),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => Value.Number((long)value),
        FieldType.UInt64 or FieldType.Fixed64 => (ulong)value <= long.MaxValue ? Value.Number((long)(ulong)value) : Value.Number(new System.Numerics.BigInteger((ulong)value)),
        FieldType.UInt32 or FieldType.Fixed32 => Value.Number((uint)value),
        _ => Value.Number((int)value),
    };
}
