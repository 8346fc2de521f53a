using System.Diagnostics;
using System.Net.Sockets;

namespace Parma.Agent.Transport;

/// <summary>
/// A connected stream socket as a Stream. Unlike NetworkStream it does not ask the Socket whether it
/// is connected, which a Socket wrapped around a vsock handle cannot tell. Reads and writes are
/// blocking (the ttrpc readers have threads of their own); the asynchronous methods are Stream's
/// own, so nothing switches the socket to the runtime's non-blocking mode.
/// </summary>
public sealed class SocketStream(Socket socket, bool ownsSocket) : Stream
{
    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

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

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[socket.Send(buffer, SocketFlags.None)..];
        }
    }

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
