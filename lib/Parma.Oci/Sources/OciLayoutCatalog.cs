using Parma.Oci.Digests;
using Parma.Oci.Model;
using Parma.Oci.References;

namespace Parma.Oci.Sources;

/// <summary>
/// The images an OCI image layout directory offers by name: its <c>index.json</c> entries with their
/// <c>org.opencontainers.image.ref.name</c>. Opening checks that the directory is a layout at all, so a
/// wrong path is an error naming it instead of an image that silently comes from elsewhere.
/// </summary>
public sealed class OciLayoutCatalog
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private readonly IReadOnlyList<Descriptor> _manifests;

    private OciLayoutCatalog(string directory, IReadOnlyList<Descriptor> manifests)
    {
        Directory = directory;
        _manifests = manifests;
    }

    public string Directory { get; }

    /// <summary>The ref names of the layout's images, in index order (a digest for an entry without one).</summary>
    public IReadOnlyList<string> Names => _manifests.Select(m => RefName(m) ?? m.Digest).ToList();

    /// <summary>Reads <paramref name="directory"/>'s index; a missing directory, oci-layout file or index.json, or a bad index, throws naming it.</summary>
    public static OciLayoutCatalog Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(File.Exists(directory)
                ? $"{directory} is a file, not an OCI image layout directory."
                : $"{directory} does not exist.");
        }

        foreach (var required in new[] { "oci-layout", "index.json" })
        {
            if (!File.Exists(Path.Combine(directory, required)))
            {
                throw new InvalidDataException($"{directory} is not an OCI image layout: it has no {required} file.");
            }
        }

        var index = OciJson.Deserialize<ImageManifest>(File.ReadAllBytes(Path.Combine(directory, "index.json")), $"{directory}/index.json");
        return new OciLayoutCatalog(directory, index.Manifests ?? []);
    }

    /// <summary>
    /// The selector <see cref="OciLayoutSource.FromDirectory"/> takes for <paramref name="reference"/>, or null when the
    /// layout lacks it. An entry matches when its ref name is the reference as written, or, for a reference pinned to a
    /// digest (<c>name[:tag]@sha256:…</c>), when the entry has that manifest digest and its ref name names the same
    /// repository (the form a patched manifest has after <c>--pin-images</c>).
    /// </summary>
    public string? Find(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var exact = _manifests.FirstOrDefault(m => RefName(m) == reference);
        if (exact is not null)
        {
            return reference;
        }

        if (!ImageReference.TryParse(reference, out var parsed, out _) || parsed.Digest is not { } digest)
        {
            return null;
        }

        var byDigest = _manifests.FirstOrDefault(m => m.Digest == digest.ToString() && SameRepository(RefName(m), parsed));
        return byDigest is null ? null : RefName(byDigest);
    }

    private static bool SameRepository(string? refName, ImageReference wanted) =>
        refName is not null && ImageReference.TryParse(refName, out var named, out _) && named.Name == wanted.Name
        && (wanted.Tag is null || named.Tag == wanted.Tag);

    private static string? RefName(Descriptor descriptor) => descriptor.Annotations?.GetValueOrDefault(RefNameAnnotation);
}
