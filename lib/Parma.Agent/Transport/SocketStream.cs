using System.Diagnostics;
using System.Net.Sockets;

namespace Parma.Agent.Transport;

/// <summary>
/// A connected stream socket as a Stream. Unlike NetworkStream it does not ask the Socket whether it
/// is connected, which a Socket wrapped around a vsock handle cannot tell.
/// </summary>
public sealed class SocketStream(Socket socket, bool ownsSocket) : Stream
{
    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => socket.Receive(buffer, offset, count, SocketFlags.None);

    /// <summary>
    /// How long a read polls for data before it blocks. A blocked thread's vCPU halts, and on a VM waking
    /// it again can cost more than a policy decision; a peer that answers or asks again within this time
    /// is served without that wake-up.
    /// </summary>
    public TimeSpan PollBeforeBlocking { get; init; }

    private bool _cannotPoll;

    public override int Read(Span<byte> buffer)
    {
        if (PollBeforeBlocking > TimeSpan.Zero && !_cannotPoll)
        {
            PollForData();
        }

        return socket.Receive(buffer, SocketFlags.None);
    }

    private void PollForData()
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(PollBeforeBlocking.TotalSeconds * Stopwatch.Frequency);
        var spinner = default(SpinWait);
        try
        {
            while (socket.Available == 0 && Stopwatch.GetTimestamp() < deadline)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
        catch (SocketException)
        {
            // No FIONREAD on this socket: block straight away, now and later.
            _cannotPoll = true;
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[socket.Send(buffer, SocketFlags.None)..];
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var sent = await socket.SendAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            buffer = buffer[sent..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsSocket)
        {
            socket.Dispose();
        }

        base.Dispose(disposing);
    }
}
