namespace Parma.Agent.Transport;

/// <summary>
/// The host's current connection over a virtio-serial port. Reads wait with poll(2) and return 0 once
/// the host has closed its side; <see cref="Abort"/> ends waiting reads and writes within the poll
/// interval. Disposing frees the port for the next connection; the device itself stays open.
/// </summary>
internal sealed class VirtioSerialConnection(PortDevice device, Action release) : Stream, IAgentConnection
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private int _closed;
    private int _released;

    public Stream Stream => this;

    private bool IsClosed => Volatile.Read(ref _closed) != 0 || device.IsClosed;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Abort() => Volatile.Write(ref _closed, 1);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (!IsClosed)
        {
            var read = device.TryRead(buffer);
            if (read >= 0)
            {
                return read;
            }

            device.Poll(PortDevice.PollIn, PollInterval);
        }

        return 0;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (IsClosed)
            {
                throw new IOException($"{device.Path}: the connection was closed");
            }

            var written = device.TryWrite(buffer);
            if (written > 0)
            {
                buffer = buffer[written..];
            }
            else
            {
                device.Poll(PortDevice.PollOut, PollInterval);
            }
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
        if (disposing)
        {
            Abort();
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }
        }

        base.Dispose(disposing);
    }
}
