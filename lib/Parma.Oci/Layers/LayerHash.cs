using Parma.Oci.Digests;

namespace Parma.Oci.Layers;

/// <summary>
/// The integrity facts of one layer: its dm-verity root hash in a given format, its diff_id (SHA-256 of
/// the uncompressed tar), the tar's size and the size of the hashed device image.
/// </summary>
public sealed record LayerHash(string RootHash, LayerHashFormat Format, Digest DiffId, long TarSize, long ImageSize);
