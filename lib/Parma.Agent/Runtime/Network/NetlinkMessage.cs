using System.Buffers.Binary;

namespace Parma.Agent.Runtime.Network;

/// <summary>
/// One netlink message as received: its type and body (the fixed header of its family, such as
/// ifinfomsg, followed by route attributes). <see cref="Attributes"/> reads the attributes that
/// follow a fixed header of a given size.
/// </summary>
internal sealed record NetlinkMessage(ushort Type, byte[] Body)
{
    /// <summary>Netlink aligns messages and attributes to 4 bytes.</summary>
    public static int Align(int length) => (length + 3) & ~3;

    /// <summary>The attributes after the first <paramref name="headerSize"/> bytes, by type (the last of a repeated type wins).</summary>
    public Dictionary<ushort, byte[]> Attributes(int headerSize) => ParseAttributes(Body.AsSpan(Math.Min(headerSize, Body.Length)));

    public static Dictionary<ushort, byte[]> ParseAttributes(ReadOnlySpan<byte> data)
    {
        var attributes = new Dictionary<ushort, byte[]>();
        for (var offset = 0; offset + 4 <= data.Length;)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(data[offset..]);
            if (length < 4 || offset + length > data.Length)
            {
                break;
            }

            // The top bits mark nested and byte-order attributes; the type is the rest.
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(data[(offset + 2)..]) & 0x3FFF);
            attributes[type] = data.Slice(offset + 4, length - 4).ToArray();
            offset += Align(length);
        }

        return attributes;
    }
}

/// <summary>Builds a request body: a fixed header followed by attributes, each aligned to 4 bytes.</summary>
internal sealed class NetlinkRequest(int headerSize)
{
    private readonly List<byte> _bytes = [.. new byte[headerSize]];

    public NetlinkRequest U8(int offset, byte value)
    {
        _bytes[offset] = value;
        return this;
    }

    public NetlinkRequest U16(int offset, ushort value) => Write(offset, BitConverter.GetBytes(value));

    public NetlinkRequest U32(int offset, uint value) => Write(offset, BitConverter.GetBytes(value));

    public NetlinkRequest Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        var length = 4 + value.Length;
        _bytes.AddRange(BitConverter.GetBytes((ushort)length));
        _bytes.AddRange(BitConverter.GetBytes(type));
        _bytes.AddRange(value.ToArray());
        _bytes.AddRange(new byte[NetlinkMessage.Align(length) - length]);
        return this;
    }

    public NetlinkRequest Attribute(ushort type, uint value) => Attribute(type, BitConverter.GetBytes(value));

    /// <summary>A NUL-terminated string attribute (interface names).</summary>
    public NetlinkRequest Attribute(ushort type, string value) => Attribute(type, [.. System.Text.Encoding.UTF8.GetBytes(value), 0]);

    /// <summary>A nested attribute holding one 32-bit attribute (route metrics).</summary>
    public NetlinkRequest Nested(ushort type, ushort innerType, uint value)
    {
        var inner = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(inner, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(inner.AsSpan(2), innerType);
        BinaryPrimitives.WriteUInt32LittleEndian(inner.AsSpan(4), value);
        return Attribute((ushort)(type | 0x8000), inner);
    }

    public byte[] ToArray() => [.. _bytes];

    private NetlinkRequest Write(int offset, byte[] value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            _bytes[offset + i] = value[i];
        }

        return this;
    }
}
