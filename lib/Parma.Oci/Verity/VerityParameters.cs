namespace Parma.Oci.Verity;

/// <summary>
/// dm-verity tree parameters. Only SHA-256 is supported; the defaults are the ones the policy pins
/// (4096-byte data and hash blocks, a 32-byte all-zero salt, format 1: salt hashed before each block).
/// </summary>
public sealed record VerityParameters
{
    public const int DigestSize = 32;

    public static VerityParameters Default { get; } = new();

    public int DataBlockSize { get; init; } = 4096;

    public int HashBlockSize { get; init; } = 4096;

    public ReadOnlyMemory<byte> Salt { get; init; } = new byte[DigestSize];

    public int DigestsPerHashBlock => HashBlockSize / DigestSize;

    public void Validate()
    {
        if (!IsPowerOfTwoInRange(DataBlockSize) || !IsPowerOfTwoInRange(HashBlockSize))
        {
            throw new ArgumentException(
                $"dm-verity block sizes must be powers of two between 512 and 1 MiB (data {DataBlockSize}, hash {HashBlockSize}).");
        }

        if (Salt.Length > 256)
        {
            throw new ArgumentException($"dm-verity salt is at most 256 bytes, got {Salt.Length}.");
        }
    }

    private static bool IsPowerOfTwoInRange(int size) => size is >= 512 and <= 1 << 20 && (size & (size - 1)) == 0;
}
