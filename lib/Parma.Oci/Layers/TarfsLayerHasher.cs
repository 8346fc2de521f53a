using System.Security.Cryptography;
using Parma.Oci.Digests;
using Parma.Oci.Model;
using Parma.Oci.Tarfs;
using Parma.Oci.Verity;

namespace Parma.Oci.Layers;

/// <summary>
/// Streams a layer once: decompresses it, computes its diff_id, and computes the dm-verity root hash of
/// its Kata tardev image (tar + tarfs index) or of the raw tar padded to 4096. Memory does not grow with
/// the layer's size beyond the verity tree's 32 bytes per 4 KiB block and the tar's directory tree.
/// </summary>
public static class TarfsLayerHasher
{
    private const int ReadSize = 1 << 20;

    /// <summary>Hashes a layer blob. <paramref name="compression"/> null sniffs gzip/zstd/plain from the bytes.</summary>
    public static async Task<LayerHash> HashAsync(
        Stream blob,
        LayerCompression? compression,
        LayerHashFormat format = LayerHashFormat.Tarfs,
        VerityParameters? parameters = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        try
        {
            return await HashUncheckedAsync(blob, compression, format, parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException) when (blob is DigestVerifyingStream or Resolution.ProgressStream { Inner: DigestVerifyingStream })
        {
            // A blob that does not decompress or parse may have been tampered with: if its digest is wrong,
            // report that (reading it to the end throws DigestMismatchException) rather than the symptom.
            await blob.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<LayerHash> HashUncheckedAsync(
        Stream blob, LayerCompression? compression, LayerHashFormat format, VerityParameters? parameters, CancellationToken cancellationToken)
    {
        await using var tar = await LayerDecompression.OpenTarAsync(blob, compression, cancellationToken).ConfigureAwait(false);
        using var verity = new VerityTreeBuilder(parameters);
        using var diffId = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var index = new TarfsIndexBuilder();
        var parser = new TarStreamParser(index.Add);
        var buffer = new byte[ReadSize];
        long tarSize = 0;
        while (true)
        {
            int read;
            try
            {
                read = await tar.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"The layer could not be decompressed: {e.Message}", e);
            }

            if (read == 0)
            {
                break;
            }

            var chunk = buffer.AsSpan(0, read);
            diffId.AppendData(chunk);
            parser.Feed(chunk);
            verity.Append(chunk);
            tarSize += read;
        }

        parser.Complete();

        // The decompressor may stop at the end of the gzip member; read the blob to its end so that a
        // digest-verifying source stream checks every byte.
        await blob.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        if (tarSize == 0)
        {
            throw new InvalidDataException("The layer is empty: it holds no tar data.");
        }

        if (format == LayerHashFormat.Tarfs)
        {
            index.WriteIndex(tarSize, data => verity.Append(data));
        }

        var root = verity.Finish();
        return new LayerHash(root.Hex, format, Digest.FromHash("sha256", diffId.GetHashAndReset()), tarSize, root.PaddedDataSize);
    }

    /// <summary>Hashes a layer file (.tar or .tar.gz; compression is sniffed).</summary>
    public static async Task<LayerHash> HashFileAsync(
        string path, LayerHashFormat format = LayerHashFormat.Tarfs, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No such layer file: {path}", path);
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await HashAsync(file, compression: null, format, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the tardev block-device image (uncompressed tar + tarfs index) of a layer to <paramref name="destination"/>.</summary>
    public static async Task WriteTardevImageAsync(Stream blob, LayerCompression? compression, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await using var tar = await LayerDecompression.OpenTarAsync(blob, compression, cancellationToken).ConfigureAwait(false);
        var index = new TarfsIndexBuilder();
        var parser = new TarStreamParser(index.Add);
        var buffer = new byte[ReadSize];
        long tarSize = 0;
        int read;
        while ((read = await tar.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            parser.Feed(buffer.AsSpan(0, read));
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            tarSize += read;
        }

        parser.Complete();
        index.WriteIndex(tarSize, data => destination.Write(data));
    }
}
