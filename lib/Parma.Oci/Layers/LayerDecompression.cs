using System.IO.Compression;
using Parma.Oci.Model;

namespace Parma.Oci.Layers;

/// <summary>Opens a layer blob as its uncompressed tar stream.</summary>
public static class LayerDecompression
{
    /// <summary>
    /// Wraps <paramref name="blob"/> in a decompressor; <paramref name="compression"/> null means sniff the magic bytes.
    /// Disposing the result leaves <paramref name="blob"/> open (the caller owns it).
    /// </summary>
    public static async Task<Stream> OpenTarAsync(Stream blob, LayerCompression? compression, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        if (compression is null)
        {
            var buffered = new BufferedStream(blob, 1 << 16);
            var magic = new byte[4];
            var read = await ReadPrefixAsync(buffered, magic, cancellationToken).ConfigureAwait(false);
            compression = Sniff(magic.AsSpan(0, read));
            blob = new PrefixedStream(magic.AsMemory(0, read), buffered);
        }

        return compression switch
        {
            LayerCompression.Gzip => new GZipStream(blob, CompressionMode.Decompress, leaveOpen: true),
            LayerCompression.Zstd => new ZstdLayerStream(blob),
            _ => new PrefixedStream(ReadOnlyMemory<byte>.Empty, blob),
        };
    }

    private static LayerCompression Sniff(ReadOnlySpan<byte> magic)
    {
        if (magic.StartsWith(new byte[] { 0x1f, 0x8b }))
        {
            return LayerCompression.Gzip;
        }

        if (magic.StartsWith(new byte[] { 0x28, 0xb5, 0x2f, 0xfd }))
        {
            return LayerCompression.Zstd;
        }

        return LayerCompression.None;
    }

    private static async Task<int> ReadPrefixAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
