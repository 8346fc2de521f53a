using ZstdSharp;

namespace Parma.Oci.Layers;

/// <summary>
/// The uncompressed tar of a zstd-compressed layer (one or more zstd frames, as zstd and skopeo write
/// them). Corrupt or truncated input is an <see cref="InvalidDataException"/>, as for gzip, so the layer
/// hasher reports it the same way. Disposing leaves the compressed stream open.
/// </summary>
internal sealed class ZstdLayerStream(Stream compressed) : ReadOnlyStream
{
    private readonly DecompressionStream _zstd = new(compressed, leaveOpen: true);

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return _zstd.Read(buffer);
        }
        catch (Exception e) when (e is ZstdException or EndOfStreamException)
        {
            throw new InvalidDataException($"zstd: {e.Message}", e);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _zstd.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ZstdException or EndOfStreamException)
        {
            throw new InvalidDataException($"zstd: {e.Message}", e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _zstd.Dispose();
        }

        base.Dispose(disposing);
    }
}
