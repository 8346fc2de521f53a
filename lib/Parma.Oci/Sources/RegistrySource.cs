using Parma.Oci.Model;
using Parma.Oci.References;
using Parma.Oci.Registry;

namespace Parma.Oci.Sources;

/// <summary>An image in a registry, reached through a <see cref="RegistryClient"/>.</summary>
public sealed class RegistrySource(RegistryClient client, ImageReference reference) : IImageSource
{
    public string Name => reference.ToString();

    public Task<FetchedManifest> GetRootManifestAsync(CancellationToken cancellationToken = default) =>
        client.GetManifestAsync(reference, reference.ManifestReference, cancellationToken);

    public Task<FetchedManifest> GetManifestAsync(Descriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return client.GetManifestAsync(reference, descriptor.ParsedDigest().ToString(), cancellationToken);
    }

    public Task<Stream> OpenBlobAsync(Descriptor descriptor, CancellationToken cancellationToken = default) =>
        client.OpenBlobAsync(reference, descriptor, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
