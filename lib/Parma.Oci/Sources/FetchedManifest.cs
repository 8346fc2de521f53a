using Parma.Oci.Digests;

namespace Parma.Oci.Sources;

/// <summary>A manifest or index document as fetched, with its verified digest and its media type.</summary>
public sealed record FetchedManifest(byte[] Content, string MediaType, Digest Digest);
