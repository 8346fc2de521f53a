using System.Collections;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Parma.Agent.Protocol;

/// <summary>
/// The inverse of <see cref="PolicyInput"/>: builds the protobuf request from policy-input JSON (a
/// trace case, a simulator request), so that a trace can be sent to a real agent. It reads JSON as
/// kata's serde does (every struct <c>#[serde(default)]</c>): a missing field or a null keeps the
/// protobuf default, and a key the message does not have is skipped (Kata's own test cases carry
/// <c>pciPath</c>, renamed <c>devicePath</c> in 2025) and reported to <c>ignored</c> with its JSON path.
/// A value of the wrong type is refused with the path that named it.
/// </summary>
public static class PolicyInputReader
{
    public static IMessage Read(JsonObject json, MessageDescriptor descriptor, Action<string>? ignored = null) =>
        descriptor.ClrType == typeof(CopyFileRequest) ? CopyFile(json) : new Reader(ignored).Message(json, descriptor, descriptor.Name);

    private sealed class Reader(Action<string>? ignored)
    {
        public IMessage Message(JsonObject json, MessageDescriptor descriptor, string path)
        {
            var message = (IMessage)Activator.CreateInstance(descriptor.ClrType)!;
            foreach (var (name, node) in json)
            {
                var at = $"{path}.{name}";
                var oneof = descriptor.Oneofs.FirstOrDefault(o => !o.IsSynthetic && RustFieldNames.Of(o.Name) == name);
                if (oneof is not null)
                {
                    if (node is JsonObject choice)
                    {
                        foreach (var (caseName, caseValue) in choice)
                        {
                            var caseField = oneof.Fields.FirstOrDefault(f => RustFieldNames.OfOneofMember(f.Name) == caseName)
                                ?? throw new PolicyInputException($"{at}: {caseName} is not a member of the oneof");
                            caseField.Accessor.SetValue(message, Scalar(caseField, caseValue, $"{at}.{caseName}"));
                        }
                    }

                    continue;
                }

                var field = descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => RustFieldNames.Of(f.Name) == name);
                if (field is null)
                {
                    ignored?.Invoke(at);
                    continue;
                }

                if (node is null)
                {
                    continue;
                }

                if (field.IsMap)
                {
                    var map = (IDictionary)field.Accessor.GetValue(message);
                    var keyField = field.MessageType.FindFieldByNumber(1);
                    var valueField = field.MessageType.FindFieldByNumber(2);
                    foreach (var (key, value) in AsObject(node, at))
                    {
                        map[Scalar(keyField, JsonValue.Create(key), $"{at}[{key}]")] = Scalar(valueField, value, $"{at}[{key}]");
                    }
                }
                else if (field.IsRepeated)
                {
                    var list = (IList)field.Accessor.GetValue(message);
                    var array = node as JsonArray ?? throw new PolicyInputException($"{at}: expected an array");
                    for (var i = 0; i < array.Count; i++)
                    {
                        list.Add(Scalar(field, array[i], $"{at}[{i}]"));
                    }
                }
                else
                {
                    field.Accessor.SetValue(message, Scalar(field, node, at));
                }
            }

            return message;
        }

        private object Scalar(FieldDescriptor field, JsonNode? node, string at)
        {
            if (node is null)
            {
                throw new PolicyInputException($"{at}: null is not a {field.FieldType}");
            }

            try
            {
                return field.FieldType switch
                {
                    FieldType.Message or FieldType.Group => Message(AsObject(node, at), field.MessageType, at),
                    FieldType.String => As<string>(node),
                    FieldType.Bool => As<bool>(node),
                    FieldType.Bytes => ByteString.CopyFrom(node is JsonArray a ? a.Select(As<byte>).ToArray() : Encoding.UTF8.GetBytes(As<string>(node))),
                    FieldType.Enum => As<int>(node),
                    FieldType.Double => As<double>(node),
                    FieldType.Float => As<float>(node),
                    FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => As<long>(node),
                    FieldType.UInt64 or FieldType.Fixed64 => As<ulong>(node),
                    FieldType.UInt32 or FieldType.Fixed32 => As<uint>(node),
                    _ => As<int>(node),
                };
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException or JsonException)
            {
                throw new PolicyInputException($"{at}: {node.ToJsonString()} is not a valid {field.FieldType.ToString().ToLowerInvariant()}");
            }
        }
    }

    private static JsonObject AsObject(JsonNode node, string at) =>
        node as JsonObject ?? throw new PolicyInputException($"{at}: expected an object");

    /// <summary>A JSON scalar as T, whatever CLR value the node wraps (a parsed element or a number set from code).</summary>
    private static T As<T>(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
            ? JsonSerializer.Deserialize<T>(v.ToJsonString())!
            : throw new FormatException("not a JSON scalar");

    /// <summary>A summarised CopyFileRequest: the symlink target becomes the data; file contents are not in the summary.</summary>
    private static CopyFileRequest CopyFile(JsonObject json)
    {
        var request = new CopyFileRequest();
        string? String(string name) => json[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        long Number(string name) => json[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? As<long>(v) : 0;
        request.Path = String("path") ?? string.Empty;
        request.FileSize = Number("file_size");
        request.FileMode = (uint)Number("file_mode");
        request.DirMode = (uint)Number("dir_mode");
        request.Uid = (int)Number("uid");
        request.Gid = (int)Number("gid");
        request.Offset = Number("offset");
        if (String("symlink_target") is { } target)
        {
            request.Data = ByteString.CopyFromUtf8(target);
        }
        else if (json["data"] is JsonArray data)
        {
            request.Data = ByteString.CopyFrom(data.Select(As<byte>).ToArray());
        }

        if (request.FileMode == 0 && String("file_type") is { } type)
        {
            request.FileMode = type switch
            {
                "Regular" => 0x8000 | 0x1A4u,
                "Directory" => 0x4000 | 0x1EDu,
                "Symlink" => 0xA000 | 0x1FFu,
                _ => 0,
            };
        }

        return request;
    }

}
