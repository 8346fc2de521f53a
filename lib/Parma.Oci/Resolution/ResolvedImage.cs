using Parma.Oci.Digests;
using Parma.Oci.Layers;
using Parma.Oci.Model;

namespace Parma.Oci.Resolution;

/// <summary>Everything the policy needs to know about one image, resolved and verified.</summary>
public sealed record ResolvedImage
{
    /// <summary>The reference as given, normalised (e.g. <c>docker.io/library/busybox:latest</c>, <c>oci:/path:tag</c>).</summary>
    public required string Reference { get; init; }

    /// <summary>Digest of the platform manifest (not of the index, when there was one).</summary>
    public required Digest ManifestDigest { get; init; }

    /// <summary>Digest of the index the manifest was selected from, if the reference named an index.</summary>
    public Digest? IndexDigest { get; init; }

    public required string MediaType { get; init; }

    public required Platform Platform { get; init; }

    public required Digest ConfigDigest { get; init; }

    public required ImageConfigSummary Config { get; init; }

    /// <summary>Layers in order, bottom first. Order is part of the policy.</summary>
    public required IReadOnlyList<ResolvedLayer> Layers { get; init; }
}

/// <summary>The container defaults from the image config.</summary>
public sealed record ImageConfigSummary
{
    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    public IReadOnlyList<string> Cmd { get; init; } = [];

    public IReadOnlyList<string> Env { get; init; } = [];

    public string WorkingDir { get; init; } = string.Empty;

    public string User { get; init; } = string.Empty;

    public IReadOnlyList<string> Volumes { get; init; } = [];

    public IReadOnlyList<string> DiffIds { get; init; } = [];

    /// <summary>OCI chain IDs: ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).</summary>
    public IReadOnlyList<string> ChainIds { get; init; } = [];
}

/// <summary>One layer: its blob, its diff_id, and (when computed) its dm-verity root hash.</summary>
public sealed record ResolvedLayer
{
    public required Digest Digest { get; init; }

    public required string MediaType { get; init; }

    public long Size { get; init; }

    public required string DiffId { get; init; }

    /// <summary>The dm-verity root hash in <see cref="HashFormat"/>, or null when hashes were not requested.</summary>
    public string? RootHash { get; init; }

    /// <summary>Bytes of the hashed device image (padded to whole 4096-byte blocks), or null when hashes were not requested.</summary>
    public long? ImageSize { get; init; }

    public LayerHashFormat? HashFormat { get; init; }
}
