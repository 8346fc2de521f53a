using System.Buffers.Binary;

namespace Parma.Agent.Ttrpc;

/// <summary>Reads whole frames from a stream, refusing oversized or truncated ones.</summary>
public sealed class TtrpcFrameReader(Stream stream, int maxPayload = TtrpcFrame.DefaultMaxPayload)
{
    private readonly byte[] _header = new byte[TtrpcFrame.HeaderLength];

    /// <summary>The next frame, blocking the calling thread until it has arrived; null when the peer closed the connection between frames.</summary>
    public TtrpcFrame? Read()
    {
        var got = ReadFully(_header);
        if (got == 0)
        {
            return null;
        }

        var payload = PayloadBuffer(got);
        return Frame(payload, ReadFully(payload));
    }

    /// <summary>The next frame, or null when the peer closed the connection between frames.</summary>
    public async ValueTask<TtrpcFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        var got = await ReadFullyAsync(_header, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        var payload = PayloadBuffer(got);
        return Frame(payload, await ReadFullyAsync(payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Checks the header just read and returns a buffer for the payload it announces.</summary>
    private byte[] PayloadBuffer(int headerBytes)
    {
        if (headerBytes < TtrpcFrame.HeaderLength)
        {
            throw new TtrpcProtocolException($"connection closed inside a frame header ({headerBytes} of {TtrpcFrame.HeaderLength} bytes)");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(_header);
        var streamId = StreamId;
        var type = _header[8];
        if (length > (uint)maxPayload)
        {
            throw new TtrpcProtocolException($"frame on stream {streamId} is {length} bytes, more than the maximum of {maxPayload}");
        }

        if (type is < (byte)TtrpcMessageType.Request or > (byte)TtrpcMessageType.Data)
        {
            throw new TtrpcProtocolException($"frame on stream {streamId} has unknown type {type}");
        }

        return length == 0 ? [] : new byte[length];
    }

    private TtrpcFrame Frame(byte[] payload, int payloadBytes) =>
        payloadBytes < payload.Length
            ? throw new TtrpcProtocolException($"connection closed inside the payload of stream {StreamId} ({payloadBytes} of {payload.Length} bytes)")
            : new TtrpcFrame(StreamId, (TtrpcMessageType)_header[8], _header[9], payload);

    private uint StreamId => BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));

    private int ReadFully(Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = stream.Read(buffer[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private async ValueTask<int> ReadFullyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
