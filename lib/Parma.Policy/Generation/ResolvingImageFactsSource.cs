using System.Collections.Concurrent;
using System.Text.Json;
using Parma.Oci.References;
using Parma.Oci.Resolution;
using Parma.Oci.Sources;

namespace Parma.Policy.Generation;

/// <summary>
/// Image facts through lib/Parma.Oci: references found in one of the given OCI image layouts
/// (by their `org.opencontainers.image.ref.name`) are read offline; all others come from their
/// registry. Layer root hashes go through the resolver's layer cache. Each reference is resolved
/// once per source instance.
/// </summary>
public sealed class ResolvingImageFactsSource(ImageResolver resolver, IReadOnlyList<string> layoutDirectories) : IImageFactsSource
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ImageFacts>>> _resolved = new(StringComparer.Ordinal);

    public Task<ImageFacts> GetAsync(string reference, CancellationToken cancellationToken) =>
        _resolved.GetOrAdd(reference, r => new Lazy<Task<ImageFacts>>(() => ResolveAsync(r, cancellationToken))).Value;

    private async Task<ImageFacts> ResolveAsync(string reference, CancellationToken cancellationToken)
    {
        var parsed = ImageReference.Parse(reference);
        var layout = layoutDirectories.FirstOrDefault(dir => LayoutHas(dir, reference));
        ResolvedImage image;
        if (layout is not null)
        {
            await using var source = OciLayoutSource.FromDirectory(layout, reference);
            image = await resolver.ResolveAsync(source, reference, new ResolveOptions(), cancellationToken).ConfigureAwait(false);
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

    private static bool LayoutHas(string directory, string reference)
    {
        var index = Path.Combine(directory, "index.json");
        if (!File.Exists(index))
        {
            return false;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(index));
        return document.RootElement.TryGetProperty("manifests", out var manifests) && manifests.ValueKind == JsonValueKind.Array
            && manifests.EnumerateArray().Any(m =>
                m.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
                && annotations.TryGetProperty("org.opencontainers.image.ref.name", out var name) && name.ValueKind == JsonValueKind.String
                && name.GetString() == reference);
    }
}
