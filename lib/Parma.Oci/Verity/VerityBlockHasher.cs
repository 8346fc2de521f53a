using System.Security.Cryptography;

namespace Parma.Oci.Verity;

/// <summary>Hashes one block the way dm-verity format 1 does: SHA-256(salt ‖ block). Not thread-safe.</summary>
internal sealed class VerityBlockHasher : IDisposable
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] salt;

    public VerityBlockHasher(ReadOnlyMemory<byte> salt) => this.salt = salt.ToArray();

    public void HashBlock(ReadOnlySpan<byte> block, Span<byte> digest)
    {
        hash.AppendData(salt);
        hash.AppendData(block);
        hash.GetHashAndReset(digest);
    }

    /// <summary>Hashes consecutive blocks of <paramref name="blockSize"/> bytes into consecutive digests.</summary>
    public void HashBlocks(ReadOnlySpan<byte> blocks, int blockSize, Span<byte> digests)
    {
        var count = blocks.Length / blockSize;
        for (var i = 0; i < count; i++)
        {
            HashBlock(blocks.Slice(i * blockSize, blockSize), digests.Slice(i * VerityParameters.DigestSize, VerityParameters.DigestSize));
        }
    }

    public void Dispose() => hash.Dispose();
}
