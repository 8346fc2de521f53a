namespace Parma.Agent.Ttrpc;

/// <summary>Writes frames to a stream; concurrent writers are serialised so frames never interleave.</summary>
public sealed class TtrpcFrameWriter(Stream stream, int maxPayload = TtrpcFrame.DefaultMaxPayload) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask WriteAsync(uint streamId, TtrpcMessageType type, byte flags, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.Length > maxPayload)
        {
            throw new TtrpcProtocolException($"refusing to send {payload.Length} bytes on stream {streamId}: the maximum is {maxPayload}");
        }

        var frame = new byte[TtrpcFrame.HeaderLength + payload.Length];
        TtrpcFrame.WriteHeader(frame, payload.Length, streamId, type, flags);
        payload.Span.CopyTo(frame.AsSpan(TtrpcFrame.HeaderLength));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
