using System.Text.Json;
using System.Text.Json.Serialization;
using Parma.Oci.Digests;
using Parma.Oci.Model;

namespace Parma.Oci.Sources;

/// <summary>
/// An image in a <c>docker save</c> tarball. The tarball has no registry manifest, so one is synthesised
/// (Docker v2 schema 2, config and layers named by the SHA-256 of their files); its digest is therefore
/// this tool's, not a registry's.
/// </summary>
public sealed class DockerArchiveSource : IImageSource
{
    private readonly TarArchiveFiles files;
    private readonly string? reference;
    private readonly Dictionary<string, string> pathByDigest = new(StringComparer.Ordinal);
    private FetchedManifest? manifest;

    private DockerArchiveSource(TarArchiveFiles files, string? reference, string name)
    {
        this.files = files;
        this.reference = reference;
        Name = name;
    }

    public string Name { get; }

    public static DockerArchiveSource Open(string path, string? reference) =>
        new(TarArchiveFiles.Load(path), reference, $"docker-archive:{path}{(reference is null ? string.Empty : ":" + reference)}");

    public async Task<FetchedManifest> GetRootManifestAsync(CancellationToken cancellationToken = default)
    {
        if (manifest is not null)
        {
            return manifest;
        }

        if (!files.Exists("manifest.json"))
        {
            throw new InvalidDataException($"{Name} is not a docker-save archive: it has no manifest.json.");
        }

        byte[] json;
        await using (var stream = files.Open("manifest.json"))
        {
            json = await OciLayoutSource.ReadAllAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        var entries = OciJson.Deserialize<List<SavedImage>>(json, $"{Name} manifest.json");
        SavedImage chosen;
        if (reference is null)
        {
            chosen = entries.Count == 1
                ? entries[0]
                : throw new InvalidOperationException($"{Name} holds {entries.Count} images; name one ({string.Join(", ", entries.SelectMany(e => e.RepoTags ?? []))}).");
        }
        else
        {
            chosen = entries.FirstOrDefault(e => (e.RepoTags ?? []).Any(t => t == reference || t.EndsWith("/" + reference, StringComparison.Ordinal)))
                ?? throw new KeyNotFoundException($"'{reference}' was not found in {Name}; it has: {string.Join(", ", entries.SelectMany(e => e.RepoTags ?? []))}.");
        }

        var config = await DescribeAsync(chosen.Config ?? throw new InvalidDataException($"{Name}: an image has no Config."), MediaTypes.DockerConfig, cancellationToken).ConfigureAwait(false);
        var layers = new List<Descriptor>();
        foreach (var layer in chosen.Layers ?? [])
        {
            layers.Add(await DescribeAsync(layer, mediaType: null, cancellationToken).ConfigureAwait(false));
        }

        var synthesised = new ImageManifest { SchemaVersion = 2, MediaType = MediaTypes.DockerManifest, Config = config, Layers = layers };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(synthesised, OciJsonWriting.Options);
        manifest = new FetchedManifest(bytes, MediaTypes.DockerManifest, Digest.Sha256Of(bytes));
        return manifest;
    }

    public Task<FetchedManifest> GetManifestAsync(Descriptor descriptor, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException($"{Name} holds a single-platform image; it has no index.");

    public Task<Stream> OpenBlobAsync(Descriptor descriptor, CancellationToken cancellationToken = default)
    {
        var digest = descriptor.ParsedDigest();
        if (!pathByDigest.TryGetValue(digest.ToString(), out var path))
        {
            throw new FileNotFoundException($"{Name} has no blob {digest}.");
        }

        Stream stream = new DigestVerifyingStream(files.Open(path), digest, descriptor.Size, $"{path} in {Name}");
        return Task.FromResult(stream);
    }

    public ValueTask DisposeAsync()
    {
        files.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<Descriptor> DescribeAsync(string path, string? mediaType, CancellationToken cancellationToken)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long size = 0;
        var first = Array.Empty<byte>();
        await using (var stream = files.Open(path))
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (size == 0)
                {
                    first = buffer[..Math.Min(read, 4)];
                }

                sha.AppendData(buffer, 0, read);
                size += read;
            }
        }

        var digest = Digest.FromHash("sha256", sha.GetHashAndReset());
        pathByDigest[digest.ToString()] = path;
        mediaType ??= first.Length >= 2 && first[0] == 0x1f && first[1] == 0x8b ? MediaTypes.DockerLayerGzip
            : first.Length >= 4 && first[0] == 0x28 && first[1] == 0xb5 && first[2] == 0x2f && first[3] == 0xfd ? MediaTypes.OciLayerZstd
            : MediaTypes.DockerLayerTar;
        return new Descriptor { MediaType = mediaType, Digest = digest.ToString(), Size = size };
    }

    private sealed record SavedImage
    {
        [JsonPropertyName("Config")]
        public string? Config { get; init; }

        [JsonPropertyName("RepoTags")]
        public List<string>? RepoTags { get; init; }

        [JsonPropertyName("Layers")]
        public List<string>? Layers { get; init; }
    }
}
