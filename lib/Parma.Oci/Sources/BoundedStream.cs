namespace Parma.Oci.Sources;

/// <summary>Reads at most <c>length</c> bytes of an inner stream, then reports end of stream.</summary>
public sealed class BoundedStream(Stream inner, long length) : ReadOnlyStream
{
    private readonly long total = length;
    private long remaining = length;

    public override long Length => total;

    public override long Position
    {
        get => total - remaining;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        if (remaining == 0)
        {
            return 0;
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, remaining)]);
        remaining -= read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (remaining == 0)
        {
            return 0;
        }

        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, remaining)], cancellationToken).ConfigureAwait(false);
        remaining -= read;
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
