using Parma.Oci.Model;

namespace Parma.Oci.Sources;

/// <summary>Where an image's manifests and blobs come from: a registry, an OCI layout, or an archive.</summary>
public interface IImageSource : IAsyncDisposable
{
    /// <summary>A human-readable name for messages, e.g. <c>oci:/tmp/layout:v1</c>.</summary>
    string Name { get; }

    /// <summary>The manifest or index that the reference names (tag or digest), digest-verified.</summary>
    Task<FetchedManifest> GetRootManifestAsync(CancellationToken cancellationToken = default);

    /// <summary>A manifest referenced by an index, verified against the descriptor.</summary>
    Task<FetchedManifest> GetManifestAsync(Descriptor descriptor, CancellationToken cancellationToken = default);

    /// <summary>A blob's bytes; the stream throws at its end if the bytes do not match the descriptor's digest and size.</summary>
    Task<Stream> OpenBlobAsync(Descriptor descriptor, CancellationToken cancellationToken = default);
}
