using System.Collections;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Parma.Agent.Protocol;

/// <summary>
/// A request as the policy sees it: the JSON kata-agent's serde derives from the rust-protobuf
/// message. Every known field is present under its Rust name (<see cref="RustFieldNames"/>); an unset
/// message or proto3 optional is null, an empty list [] and an empty map {}; enums (their number,
/// unknown values included) and 64-bit integers are numbers; bytes are arrays of numbers; a oneof is
/// null or {"MemberVariant": value}; unknown fields are left out (serde skips rust-protobuf's
/// special fields). CopyFileRequest is summarised without its data, as kata-agent does.
/// </summary>
public static class PolicyInput
{
    public static JsonObject From(IMessage request) =>
        request is CopyFileRequest copy ? CopyFileSummary(copy) : Message(request);

    private static JsonObject Message(IMessage message)
    {
        var json = new JsonObject();
        foreach (var oneof in message.Descriptor.Oneofs.Where(o => !o.IsSynthetic))
        {
            var set = oneof.Accessor.GetCaseFieldDescriptor(message);
            json[RustFieldNames.Of(oneof.Name)] = set is null ? null : new JsonObject { [RustFieldNames.OfOneofMember(set.Name)] = Value(set, set.Accessor.GetValue(message)) };
        }

        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (field.RealContainingOneof is not null)
            {
                continue;
            }

            var name = RustFieldNames.Of(field.Name);
            if (field.IsMap)
            {
                var map = new JsonObject();
                var valueField = field.MessageType.FindFieldByNumber(2);
                foreach (DictionaryEntry entry in (IDictionary)field.Accessor.GetValue(message))
                {
                    map[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture)!] = Value(valueField, entry.Value);
                }

                json[name] = map;
            }
            else if (field.IsRepeated)
            {
                var array = new JsonArray();
                foreach (var item in (IList)field.Accessor.GetValue(message))
                {
                    array.Add(Value(field, item));
                }

                json[name] = array;
            }
            else if (field.HasPresence && !field.Accessor.HasValue(message))
            {
                json[name] = null;
            }
            else
            {
                json[name] = Value(field, field.Accessor.GetValue(message));
            }
        }

        return json;
    }

    private static JsonNode? Value(FieldDescriptor field, object? value) => field.FieldType switch
    {
        _ when value is null => null,
        FieldType.Message or FieldType.Group => Message((IMessage)value),
        FieldType.Enum => JsonValue.Create(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)),
        FieldType.Bytes => new JsonArray(((ByteString)value).Select(b => (JsonNode)JsonValue.Create(b)).ToArray()),
        FieldType.String => JsonValue.Create((string)value),
        FieldType.Bool => JsonValue.Create((bool)value),
        FieldType.Double => JsonValue.Create((double)value),
        FieldType.Float => JsonValue.Create((float)value),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => JsonValue.Create((long)value),
        FieldType.UInt64 or FieldType.Fixed64 => JsonValue.Create((ulong)value),
        FieldType.UInt32 or FieldType.Fixed32 => JsonValue.Create((uint)value),
        _ => JsonValue.Create((int)value),
    };

    /// <summary>kata-agent's PolicyCopyFileRequest: the file type from the mode, a symlink's target, never the data.</summary>
    private static JsonObject CopyFileSummary(CopyFileRequest copy)
    {
        var fileType = (copy.FileMode & 0xF000) switch
        {
            0x8000 => "Regular",
            0x4000 => "Directory",
            0xA000 => "Symlink",
            _ => "Unknown",
        };
        string? target = null;
        if (fileType == "Symlink")
        {
            try
            {
                target = new UTF8Encoding(false, true).GetString(copy.Data.Span);
            }
            catch (DecoderFallbackException)
            {
                throw new PolicyInputException("CopyFileRequest: the symlink target is not valid UTF-8");
            }
        }

        return new JsonObject
        {
            ["path"] = copy.Path,
            ["file_type"] = fileType,
            ["symlink_target"] = target,
            ["file_size"] = copy.FileSize,
            ["file_mode"] = copy.FileMode,
            ["dir_mode"] = copy.DirMode,
            ["uid"] = copy.Uid,
            ["gid"] = copy.Gid,
            ["offset"] = copy.Offset,
        };
    }
}
