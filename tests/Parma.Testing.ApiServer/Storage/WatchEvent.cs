using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Testing.ApiServer.Storage;

/// <summary>
/// One line of a watch stream. Every watcher that sees a change the same way shares one instance, so
/// the object is serialised once however many watches it fans out to.
/// </summary>
public sealed class WatchEvent(string type, JsonObject obj)
{
    private readonly Lock _gate = new();
    private byte[]? _line;

    public string Type { get; } = type;

    /// <summary>The object as stored; shared, so never modified.</summary>
    public JsonObject Object { get; } = obj;

    /// <summary><c>{"type":…,"object":…}</c> and a newline, as UTF-8.</summary>
    public byte[] Utf8Line()
    {
        lock (_gate)
        {
            if (_line is null)
            {
                var buffer = new ArrayBufferWriter<byte>();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", Type);
                    writer.WritePropertyName("object");
                    Object.WriteTo(writer);
                    writer.WriteEndObject();
                }

                buffer.Write("\n"u8);
                _line = buffer.WrittenSpan.ToArray();
            }

            return _line;
        }
    }
}
