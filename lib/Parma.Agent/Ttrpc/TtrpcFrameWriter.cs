using System.Buffers;

namespace Parma.Agent.Ttrpc;

/// <summary>
/// Writes frames to a stream; concurrent writers are serialised so frames never interleave. Writes
/// are synchronous: the agent's sockets stay in blocking mode (see <see cref="TtrpcServerConnection"/>),
/// and a frame is written by whichever thread produced it, without a hand-off to another.
/// </summary>
public sealed class TtrpcFrameWriter(Stream stream, int maxPayload = TtrpcFrame.DefaultMaxPayload)
{
    private readonly Lock _gate = new();

    public void Write(uint streamId, TtrpcMessageType type, byte flags, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > maxPayload)
        {
            throw new TtrpcProtocolException($"refusing to send {payload.Length} bytes on stream {streamId}: the maximum is {maxPayload}");
        }

        var length = TtrpcFrame.HeaderLength + payload.Length;
        var frame = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            TtrpcFrame.WriteHeader(frame, payload.Length, streamId, type, flags);
            payload.CopyTo(frame.AsSpan(TtrpcFrame.HeaderLength));
            lock (_gate)
            {
                stream.Write(frame, 0, length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Writes bytes as they are, between whole frames (for protocol tests that send malformed frames).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            stream.Write(bytes);
        }
    }
}
