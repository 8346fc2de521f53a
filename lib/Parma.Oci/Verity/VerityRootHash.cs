namespace Parma.Oci.Verity;

/// <summary>A dm-verity root hash and the size of the data it covers (after zero padding to whole blocks).</summary>
public sealed record VerityRootHash(string Hex, long DataSize, long PaddedDataSize)
{
    public override string ToString() => Hex;
}
