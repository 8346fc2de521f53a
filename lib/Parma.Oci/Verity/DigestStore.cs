namespace Parma.Oci.Verity;

/// <summary>
/// The digests of one tree level, kept in fixed-size chunks so that growing never copies and a batch of
/// digests can be written from several threads into disjoint slots.
/// </summary>
internal sealed class DigestStore
{
    private const int DigestSize = VerityParameters.DigestSize;
    private readonly List<byte[]> chunks = [];
    private readonly int digestsPerChunk;

    public DigestStore(int digestsPerChunk) => this.digestsPerChunk = digestsPerChunk;

    public long Count { get; private set; }

    /// <summary>Reserves <paramref name="count"/> consecutive slots, which must fit inside one chunk.</summary>
    public Memory<byte> Reserve(int count)
    {
        var offsetInChunk = (int)(Count % digestsPerChunk);
        if (offsetInChunk + count > digestsPerChunk)
        {
            throw new InvalidOperationException("A digest reservation may not straddle chunks.");
        }

        if (offsetInChunk == 0)
        {
            chunks.Add(new byte[digestsPerChunk * DigestSize]);
        }

        Count += count;
        return chunks[^1].AsMemory(offsetInChunk * DigestSize, count * DigestSize);
    }

    /// <summary>Copies digests [first, first+count) into <paramref name="destination"/>.</summary>
    public void CopyTo(long first, int count, Span<byte> destination)
    {
        var written = 0;
        while (written < count)
        {
            var index = first + written;
            var chunk = chunks[(int)(index / digestsPerChunk)];
            var offset = (int)(index % digestsPerChunk);
            var take = Math.Min(count - written, digestsPerChunk - offset);
            chunk.AsSpan(offset * DigestSize, take * DigestSize).CopyTo(destination[(written * DigestSize)..]);
            written += take;
        }
    }
}
