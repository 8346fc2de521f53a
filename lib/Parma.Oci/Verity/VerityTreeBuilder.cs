namespace Parma.Oci.Verity;

/// <summary>
/// Computes a dm-verity root hash over data that arrives as a stream, identical to
/// <c>veritysetup format --no-superblock</c> with the same parameters. A trailing partial block is padded
/// with zeros. Memory: two batch buffers plus one 32-byte digest per data block (1/128 of the data with
/// 4096-byte blocks). Data blocks are hashed on all cores while the next batch is being read.
/// </summary>
public sealed class VerityTreeBuilder : IDisposable
{
    private const int BatchBlocks = 1024;
    private const int DigestSize = VerityParameters.DigestSize;

    private readonly VerityParameters parameters;
    private readonly int blockSize;
    private readonly int batchSize;
    private readonly VerityBlockHasher[] hashers;
    private readonly DigestStore dataDigests;
    private byte[] filling;
    private byte[] spare;
    private int filled;
    private Task pending = Task.CompletedTask;
    private long totalBytes;
    private bool finished;

    public VerityTreeBuilder(VerityParameters? parameters = null)
    {
        this.parameters = parameters ?? VerityParameters.Default;
        this.parameters.Validate();
        blockSize = this.parameters.DataBlockSize;
        batchSize = blockSize * BatchBlocks;
        filling = new byte[batchSize];
        spare = new byte[batchSize];
        hashers = new VerityBlockHasher[Math.Clamp(Environment.ProcessorCount, 1, 8)];
        for (var i = 0; i < hashers.Length; i++)
        {
            hashers[i] = new VerityBlockHasher(this.parameters.Salt);
        }

        dataDigests = new DigestStore(BatchBlocks * 32);
    }

    /// <summary>Bytes appended so far.</summary>
    public long Length => totalBytes;

    public void Append(ReadOnlySpan<byte> data)
    {
        EnsureOpen();
        while (!data.IsEmpty)
        {
            var take = Math.Min(data.Length, batchSize - filled);
            data[..take].CopyTo(filling.AsSpan(filled));
            filled += take;
            totalBytes += take;
            data = data[take..];
            if (filled == batchSize)
            {
                Dispatch();
            }
        }
    }

    /// <summary>Appends zero bytes (used for padding without allocating).</summary>
    public void AppendZeros(long count)
    {
        EnsureOpen();
        while (count > 0)
        {
            var take = (int)Math.Min(count, batchSize - filled);
            filling.AsSpan(filled, take).Clear();
            filled += take;
            totalBytes += take;
            count -= take;
            if (filled == batchSize)
            {
                Dispatch();
            }
        }
    }

    /// <summary>Reads <paramref name="source"/> to its end straight into the batch buffers.</summary>
    public async Task AppendFromAsync(Stream source, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        while (true)
        {
            var read = await source.ReadAsync(filling.AsMemory(filled, batchSize - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            filled += read;
            totalBytes += read;
            if (filled == batchSize)
            {
                Dispatch();
            }
        }
    }

    /// <summary>Pads the last block with zeros and returns the root hash. The builder cannot be reused.</summary>
    public VerityRootHash Finish()
    {
        EnsureOpen();
        finished = true;
        if (totalBytes == 0)
        {
            throw new InvalidOperationException("dm-verity needs at least one byte of data; the input was empty.");
        }

        var partial = filled % blockSize;
        if (partial != 0)
        {
            filling.AsSpan(filled, blockSize - partial).Clear();
            filled += blockSize - partial;
        }

        if (filled > 0)
        {
            Dispatch();
        }

        pending.GetAwaiter().GetResult();
        var root = ReduceToRoot();
        var padded = dataDigests.Count * blockSize;
        return new VerityRootHash(Convert.ToHexStringLower(root), totalBytes, padded);
    }

    private void Dispatch()
    {
        pending.GetAwaiter().GetResult();
        var blocks = filled / blockSize;
        var digests = dataDigests.Reserve(blocks);
        var batch = filling;
        pending = Task.Run(() => HashBatch(batch, blocks, digests));
        (filling, spare) = (spare, filling);
        filled = 0;
    }

    private void HashBatch(byte[] batch, int blocks, Memory<byte> digests)
    {
        var workers = Math.Min(hashers.Length, Math.Max(1, blocks / 64));
        var perWorker = (blocks + workers - 1) / workers;
        Parallel.For(0, workers, w =>
        {
            var first = w * perWorker;
            var count = Math.Min(perWorker, blocks - first);
            if (count <= 0)
            {
                return;
            }

            hashers[w].HashBlocks(
                batch.AsSpan(first * blockSize, count * blockSize),
                blockSize,
                digests.Span.Slice(first * DigestSize, count * DigestSize));
        });
    }

    /// <summary>Hashes each level's digests, <c>DigestsPerHashBlock</c> per zero-padded hash block, up to one digest.</summary>
    private byte[] ReduceToRoot()
    {
        var perBlock = parameters.DigestsPerHashBlock;
        var hashBlock = new byte[parameters.HashBlockSize];
        var level = dataDigests;
        var hasher = hashers[0];
        while (level.Count > 1)
        {
            var next = new DigestStore(perBlock * 64);
            for (long first = 0; first < level.Count; first += perBlock)
            {
                var count = (int)Math.Min(perBlock, level.Count - first);
                Array.Clear(hashBlock);
                level.CopyTo(first, count, hashBlock);
                hasher.HashBlock(hashBlock, next.Reserve(1).Span);
            }

            level = next;
        }

        var root = new byte[DigestSize];
        level.CopyTo(0, 1, root);
        return root;
    }

    private void EnsureOpen() => ObjectDisposedException.ThrowIf(finished, this);

    public void Dispose()
    {
        try
        {
            pending.GetAwaiter().GetResult();
        }
        catch (AggregateException)
        {
            // Disposal after a failed batch: the failure was already reported by Finish or Append.
        }

        foreach (var hasher in hashers)
        {
            hasher.Dispose();
        }
    }
}
