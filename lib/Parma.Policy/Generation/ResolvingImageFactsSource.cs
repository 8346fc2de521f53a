using System.Collections.Concurrent;
using Parma.Oci.References;
using Parma.Oci.Resolution;
using Parma.Oci.Sources;

namespace Parma.Policy.Generation;

/// <summary>
/// Image facts through lib/Parma.Oci: references found in one of the given OCI image layouts
/// (by their `org.opencontainers.image.ref.name`, or by digest for a pinned reference) are read
/// offline; the others come from their registry, or, with <paramref name="layoutsOnly"/>, are an error
/// naming the reference and the layouts (the CLI's --images: never a silent fall-back to the network).
/// Layer root hashes go through the resolver's layer cache. Each reference is resolved once per source
/// instance, and each layout's index is read once.
/// </summary>
public sealed class ResolvingImageFactsSource(ImageResolver resolver, IReadOnlyList<string> layoutDirectories, bool layoutsOnly = false) : IImageFactsSource
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ImageFacts>>> _resolved = new(StringComparer.Ordinal);
    private readonly Lazy<IReadOnlyList<OciLayoutCatalog>> _layouts = new(() => layoutDirectories.Select(OciLayoutCatalog.Open).ToList());

    public Task<ImageFacts> GetAsync(string reference, CancellationToken cancellationToken) =>
        _resolved.GetOrAdd(reference, r => new Lazy<Task<ImageFacts>>(() => ResolveAsync(r, cancellationToken))).Value;

    private async Task<ImageFacts> ResolveAsync(string reference, CancellationToken cancellationToken)
    {
        var parsed = ImageReference.Parse(reference);
        var found = _layouts.Value.Select(layout => (layout.Directory, Selector: layout.Find(reference))).FirstOrDefault(f => f.Selector is not null);
        ResolvedImage image;
        if (found.Selector is not null)
        {
            await using var source = OciLayoutSource.FromDirectory(found.Directory, found.Selector);
            image = await resolver.ResolveAsync(source, reference, new ResolveOptions(), cancellationToken).ConfigureAwait(false);
        }
        else if (layoutsOnly)
        {
            throw new KeyNotFoundException(
                $"not found in the image layout{(_layouts.Value.Count == 1 ? string.Empty : "s")} " +
                string.Join("; ", _layouts.Value.Select(l => $"{l.Directory} (which has {(l.Names.Count == 0 ? "no images" : string.Join(", ", l.Names))})")) +
                "; with image layouts given, images are not fetched from registries: add the image to a layout (e.g. skopeo copy docker://REF oci:DIR:REF)");
        }
        else
        {
            image = await resolver.ResolveAsync(reference, new ResolveOptions(), cancellationToken).ConfigureAwait(false);
        }

        if (parsed.Digest is { } pinned && pinned != image.ManifestDigest)
        {
            throw new InvalidOperationException($"{reference} is pinned to {pinned} but resolved to {image.ManifestDigest}.");
        }

        return new ImageFacts(
            PinnedReference: $"{parsed.Name}@{image.ManifestDigest}",
            Entrypoint: image.Config.Entrypoint,
            Cmd: image.Config.Cmd,
            Env: image.Config.Env,
            WorkingDir: image.Config.WorkingDir,
            User: image.Config.User,
            Layers: image.Layers.Select(l => new LayerFacts(l.DiffId, l.RootHash
                ?? throw new InvalidOperationException($"{reference}: layer {l.Digest} has no root hash."), l.ImageSize)).ToList());
    }
}
