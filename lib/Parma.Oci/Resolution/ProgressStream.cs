namespace Parma.Oci.Resolution;

/// <summary>A read-only pass-through stream that reports how many bytes were read so far.</summary>
internal sealed class ProgressStream(Stream inner, Action<long> report) : ReadOnlyStream
{
    private long _read;

    /// <summary>The stream read through (the layer hasher looks for a digest-verifying stream here).</summary>
    public Stream Inner => inner;

    public override long Length => inner.Length;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Count(int read)
    {
        if (read > 0)
        {
            _read += read;
            report(_read);
        }

        return read;
    }
}
