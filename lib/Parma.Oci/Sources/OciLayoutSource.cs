using Parma.Oci.Digests;
using Parma.Oci.Model;

namespace Parma.Oci.Sources;

/// <summary>An image in an OCI image layout (a directory, or an <c>oci-archive</c> tarball of one).</summary>
public sealed class OciLayoutSource : IImageSource
{
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private readonly ILayoutFiles files;
    private readonly string? tag;

    private OciLayoutSource(ILayoutFiles files, string? tag, string name)
    {
        this.files = files;
        this.tag = tag;
        Name = name;
    }

    public string Name { get; }

    public static OciLayoutSource FromDirectory(string path, string? tag)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"No OCI layout directory at {path}.");
        }

        return new OciLayoutSource(new DirectoryLayoutFiles(path), tag, $"oci:{path}{(tag is null ? string.Empty : ":" + tag)}");
    }

    public static OciLayoutSource FromArchive(string path, string? tag) =>
        new(TarArchiveFiles.Load(path), tag, $"oci-archive:{path}{(tag is null ? string.Empty : ":" + tag)}");

    public async Task<FetchedManifest> GetRootManifestAsync(CancellationToken cancellationToken = default)
    {
        if (!files.Exists("index.json"))
        {
            throw new InvalidDataException($"{Name} is not an OCI image layout: {files.Describe("index.json")} is missing.");
        }

        byte[] indexBytes;
        await using (var stream = files.Open("index.json"))
        {
            indexBytes = await ReadAllAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        var index = OciJson.Deserialize<ImageManifest>(indexBytes, $"{files.Describe("index.json")}");
        var manifests = index.Manifests ?? [];
        Descriptor chosen;
        if (tag is null)
        {
            if (manifests.Count != 1)
            {
                throw new InvalidOperationException(
                    $"{Name} holds {manifests.Count} images; name one by tag ({string.Join(", ", Tags(manifests))}).");
            }

            chosen = manifests[0];
        }
        else
        {
            chosen = manifests.FirstOrDefault(m => RefName(m) == tag)
                ?? throw new KeyNotFoundException(
                    $"Tag '{tag}' was not found in {Name}; it has: {(manifests.Count == 0 ? "no images" : string.Join(", ", Tags(manifests)))}.");
        }

        return await GetManifestAsync(chosen, cancellationToken).ConfigureAwait(false);
    }

    public async Task<FetchedManifest> GetManifestAsync(Descriptor descriptor, CancellationToken cancellationToken = default)
    {
        var digest = descriptor.ParsedDigest();
        await using var stream = await OpenBlobAsync(descriptor, cancellationToken).ConfigureAwait(false);
        var content = await ReadAllAsync(stream, cancellationToken).ConfigureAwait(false);
        return new FetchedManifest(content, ManifestMediaType.Of(content, descriptor.MediaType), digest);
    }

    public Task<Stream> OpenBlobAsync(Descriptor descriptor, CancellationToken cancellationToken = default)
    {
        var digest = descriptor.ParsedDigest();
        var path = $"blobs/{digest.Algorithm}/{digest.Hex}";
        if (!files.Exists(path))
        {
            throw new FileNotFoundException($"{Name} is missing blob {digest} ({files.Describe(path)}).");
        }

        Stream stream = new DigestVerifyingStream(files.Open(path), digest, descriptor.Size, $"blob {digest} in {Name}");
        return Task.FromResult(stream);
    }

    public ValueTask DisposeAsync()
    {
        files.Dispose();
        return ValueTask.CompletedTask;
    }

    internal static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static string? RefName(Descriptor descriptor) =>
        descriptor.Annotations?.GetValueOrDefault(RefNameAnnotation);

    private static IEnumerable<string> Tags(List<Descriptor> manifests) =>
        manifests.Select(m => RefName(m) ?? m.Digest);
}
