using System.Buffers.Binary;

namespace Parma.Agent.Ttrpc;

/// <summary>Reads whole frames from a stream, refusing oversized or truncated ones.</summary>
public sealed class TtrpcFrameReader(Stream stream, int maxPayload = TtrpcFrame.DefaultMaxPayload)
{
    private readonly byte[] _header = new byte[TtrpcFrame.HeaderLength];

    /// <summary>The next frame, or null when the peer closed the connection between frames.</summary>
    public async ValueTask<TtrpcFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        var got = await ReadFullyAsync(_header, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        if (got < TtrpcFrame.HeaderLength)
        {
            throw new TtrpcProtocolException($"connection closed inside a frame header ({got} of {TtrpcFrame.HeaderLength} bytes)");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(_header);
        var streamId = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
        var type = _header[8];
        if (length > (uint)maxPayload)
        {
            throw new TtrpcProtocolException($"frame on stream {streamId} is {length} bytes, more than the maximum of {maxPayload}");
        }

        if (type is < (byte)TtrpcMessageType.Request or > (byte)TtrpcMessageType.Data)
        {
            throw new TtrpcProtocolException($"frame on stream {streamId} has unknown type {type}");
        }

        var payload = length == 0 ? [] : new byte[length];
        got = await ReadFullyAsync(payload, cancellationToken).ConfigureAwait(false);
        if (got < payload.Length)
        {
            throw new TtrpcProtocolException($"connection closed inside the payload of stream {streamId} ({got} of {length} bytes)");
        }

        return new TtrpcFrame(streamId, (TtrpcMessageType)type, _header[9], payload);
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
