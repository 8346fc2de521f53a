using System.Buffers.Binary;

namespace Parma.Agent.Ttrpc;

/// <summary>The kind of a ttrpc frame (header byte 8).</summary>
public enum TtrpcMessageType : byte
{
    Request = 1,
    Response = 2,
    Data = 3,
}

/// <summary>
/// One ttrpc frame: a 10-byte big-endian header (payload length, stream id, type, flags) followed
/// by the payload, which for requests and responses is a protobuf ttrpc.Request / ttrpc.Response.
/// </summary>
public readonly record struct TtrpcFrame(uint StreamId, TtrpcMessageType Type, byte Flags, byte[] Payload)
{
    public const int HeaderLength = 10;

    /// <summary>The largest payload ttrpc accepts (4 MiB).</summary>
    public const int DefaultMaxPayload = 4 << 20;

    public static void WriteHeader(Span<byte> header, int length, uint streamId, TtrpcMessageType type, byte flags)
    {
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)length);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], streamId);
        header[8] = (byte)type;
        header[9] = flags;
    }
}
