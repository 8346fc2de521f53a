namespace Parma.Oci.Resolution;

/// <summary>Resolves an image reference to its manifest digest, config and per-layer root hashes.</summary>
public interface IImageResolver
{
    /// <summary>
    /// <paramref name="location"/> is a registry reference (<c>busybox</c>, <c>host:5000/app@sha256:…</c>),
    /// <c>oci:PATH[:TAG]</c>, <c>oci-archive:PATH[:TAG]</c> or <c>docker-archive:PATH[:REF]</c>.
    /// </summary>
    Task<ResolvedImage> ResolveAsync(string location, ResolveOptions? options = null, CancellationToken cancellationToken = default);
}
