namespace Parma.Oci.Verity;

/// <summary>dm-verity root hashes of whole streams and files (see <see cref="VerityTreeBuilder"/>).</summary>
public static class VerityHasher
{
    public static async Task<VerityRootHash> HashStreamAsync(
        Stream data, VerityParameters? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var builder = new VerityTreeBuilder(parameters);
        await builder.AppendFromAsync(data, cancellationToken).ConfigureAwait(false);
        return builder.Finish();
    }

    /// <summary>Root hash of a file's bytes, the last block padded with zeros.</summary>
    public static async Task<VerityRootHash> HashFileAsync(
        string path, VerityParameters? parameters = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No such file to hash: {path}", path);
        }

        await using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = 0,
            Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
        });
        if (stream.Length == 0)
        {
            throw new InvalidDataException($"{path} is empty; dm-verity needs at least one byte of data.");
        }

        return await HashStreamAsync(stream, parameters, cancellationToken).ConfigureAwait(false);
    }

    public static VerityRootHash HashBytes(ReadOnlySpan<byte> data, VerityParameters? parameters = null)
    {
        using var builder = new VerityTreeBuilder(parameters);
        builder.Append(data);
        return builder.Finish();
    }
}
