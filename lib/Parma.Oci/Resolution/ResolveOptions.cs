using Parma.Oci.Layers;
using Parma.Oci.Model;

namespace Parma.Oci.Resolution;

/// <summary>Options for <see cref="IImageResolver.ResolveAsync"/>.</summary>
public sealed record ResolveOptions
{
    /// <summary>Which manifest to pick from a multi-platform index.</summary>
    public Platform Platform { get; init; } = Platform.LinuxAmd64;

    /// <summary>Download every layer and compute its dm-verity root hash (and check its diff_id).</summary>
    public bool ComputeLayerHashes { get; init; } = true;

    public LayerHashFormat HashFormat { get; init; } = LayerHashFormat.Tarfs;
}
