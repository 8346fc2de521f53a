namespace Parma.Policy.Generation;

/// <summary>What the policy needs to know of one image layer.</summary>
/// <param name="DiffId">sha256 of the uncompressed layer tar (`rootfs.diff_ids`).</param>
/// <param name="RootHash">dm-verity root hash of the layer's tardev image, lowercase hex.</param>
/// <param name="Size">Bytes of that image, padded to whole 4096-byte blocks (the most a guest agent reads from the layer's source); null when unknown.</param>
public sealed record LayerFacts(string DiffId, string RootHash, long? Size = null);

/// <summary>What the policy needs to know of an image: its digest-pinned reference, its config and its layers (base first).</summary>
public sealed record ImageFacts(
    string PinnedReference,
    IReadOnlyList<string> Entrypoint,
    IReadOnlyList<string> Cmd,
    IReadOnlyList<string> Env,
    string WorkingDir,
    string User,
    IReadOnlyList<LayerFacts> Layers);

/// <summary>Resolves an image reference to <see cref="ImageFacts"/> (registry, OCI layout or archive, through the layer cache).</summary>
public interface IImageFactsSource
{
    Task<ImageFacts> GetAsync(string reference, CancellationToken cancellationToken);
}
