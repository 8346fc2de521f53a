namespace Parma.Oci.Layers;

/// <summary>What block device image the root hash is computed over.</summary>
public enum LayerHashFormat
{
    /// <summary>Kata's tardev image: the uncompressed tar followed by its tarfs index (the policy default).</summary>
    Tarfs,

    /// <summary>The uncompressed tar alone, zero-padded to 4096 bytes.</summary>
    Raw,
}
