namespace Parma.Oci.Layers;

/// <summary>A read-only stream that yields some already-read bytes before the rest of an inner stream (which it does not own).</summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : ReadOnlyStream
{
    private ReadOnlyMemory<byte> prefix = prefix;

    public override int Read(Span<byte> buffer)
    {
        if (!prefix.IsEmpty)
        {
            var take = Math.Min(prefix.Length, buffer.Length);
            prefix.Span[..take].CopyTo(buffer);
            prefix = prefix[take..];
            return take;
        }

        return inner.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!prefix.IsEmpty)
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }

        return inner.ReadAsync(buffer, cancellationToken);
    }
}
