using System.Security.Cryptography;
using System.Text;
using Parma.Oci.Digests;
using Parma.Oci.Layers;
using Parma.Oci.Model;
using Parma.Oci.References;
using Parma.Oci.Registry;
using Parma.Oci.Sources;

namespace Parma.Oci.Resolution;

/// <summary>
/// The entry point for other parts of Parma: resolves an image (registry, OCI layout, archive) to a
/// verified manifest digest, its config, and its layers with diff_ids and dm-verity root hashes.
/// </summary>
public sealed class ImageResolver : IImageResolver, IDisposable
{
    private const int MaxConfigBytes = 16 << 20;
    private readonly RegistryClient registry;
    private readonly LayerCache? cache;

    /// <summary>Where layer download and hashing progress goes (null: nowhere).</summary>
    public IProgress<ImageProgress>? Progress { get; init; }

    public ImageResolver(RegistryClientOptions? registryOptions = null, LayerCache? cache = null)
    {
        registry = new RegistryClient(registryOptions);
        this.cache = cache;
    }

    public async Task<ResolvedImage> ResolveAsync(string location, ResolveOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ResolveOptions();
        var parsed = ImageLocation.Parse(location);
        await using var source = OpenSource(parsed);
        return await ResolveAsync(source, parsed.ToString(), options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resolves from an already opened source.</summary>
    public async Task<ResolvedImage> ResolveAsync(IImageSource source, string name, ResolveOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var manifest = await source.GetRootManifestAsync(cancellationToken).ConfigureAwait(false);
        Digest? indexDigest = null;
        if (MediaTypes.IsIndex(manifest.MediaType))
        {
            var index = OciJson.Deserialize<ImageManifest>(manifest.Content, $"the index of {name}");
            var candidates = index.Manifests ?? [];
            var chosen = candidates.FirstOrDefault(d => options.Platform.Matches(d.Platform) && MediaTypes.IsManifest(d.MediaType))
                ?? throw new KeyNotFoundException(
                    $"{name} has no image for platform {options.Platform}; it has: " +
                    (candidates.Count == 0 ? "nothing" : string.Join(", ", candidates.Select(d => d.Platform?.ToString() ?? "(no platform)"))) + ".");
            indexDigest = manifest.Digest;
            manifest = await source.GetManifestAsync(chosen, cancellationToken).ConfigureAwait(false);
        }

        if (!MediaTypes.IsManifest(manifest.MediaType))
        {
            throw new NotSupportedException($"{name} is a '{manifest.MediaType}', not an OCI or Docker v2 image manifest.");
        }

        var image = OciJson.Deserialize<ImageManifest>(manifest.Content, $"the manifest of {name}");
        var configDescriptor = image.Config ?? throw new InvalidDataException($"The manifest of {name} has no config.");
        if (configDescriptor.MediaType is not (MediaTypes.OciConfig or MediaTypes.DockerConfig))
        {
            throw new NotSupportedException($"{name} is not a container image: its config has media type '{configDescriptor.MediaType}'.");
        }

        if (configDescriptor.Size > MaxConfigBytes)
        {
            throw new InvalidDataException($"The config of {name} declares {configDescriptor.Size} bytes; refusing more than {MaxConfigBytes}.");
        }

        byte[] configBytes;
        await using (var stream = await source.OpenBlobAsync(configDescriptor, cancellationToken).ConfigureAwait(false))
        {
            configBytes = await OciLayoutSource.ReadAllAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        var config = OciJson.Deserialize<ImageConfigFile>(configBytes, $"the config of {name}");
        var layerDescriptors = image.Layers ?? [];
        var diffIds = config.RootFs?.DiffIds ?? [];
        if (diffIds.Count != layerDescriptors.Count)
        {
            throw new InvalidDataException(
                $"{name} is inconsistent: its manifest lists {layerDescriptors.Count} layers but its config lists {diffIds.Count} diff_ids.");
        }

        var layers = new List<ResolvedLayer>();
        for (var i = 0; i < layerDescriptors.Count; i++)
        {
            var descriptor = layerDescriptors[i];
            var compression = MediaTypes.LayerCompressionOf(descriptor.MediaType);
            var digest = descriptor.ParsedDigest();
            string? rootHash = null;
            long? imageSize = null;
            if (options.ComputeLayerHashes)
            {
                var layerIndex = i;
                var computed = false;
                Task<LayerHash> Compute(CancellationToken ct)
                {
                    computed = true;
                    return HashLayerAsync(source, descriptor, compression, options.HashFormat,
                        Progress is null ? null : read => Progress.Report(new ImageProgress(name, layerIndex, layerDescriptors.Count, read, descriptor.Size)), ct);
                }

                var hash = cache is null
                    ? await Compute(cancellationToken).ConfigureAwait(false)
                    : await cache.GetOrComputeAsync(digest, options.HashFormat, Compute, cancellationToken).ConfigureAwait(false);
                if (!computed)
                {
                    Progress?.Report(new ImageProgress(name, i, layerDescriptors.Count, descriptor.Size, descriptor.Size, Cached: true));
                }

                if (hash.DiffId.ToString() != diffIds[i])
                {
                    throw new InvalidDataException(
                        $"Layer {i} ({digest}) of {name} uncompresses to {hash.DiffId}, but the config says its diff_id is {diffIds[i]}.");
                }

                rootHash = hash.RootHash;
                imageSize = hash.ImageSize;
            }

            layers.Add(new ResolvedLayer
            {
                Digest = digest,
                MediaType = descriptor.MediaType,
                Size = descriptor.Size,
                DiffId = diffIds[i],
                RootHash = rootHash,
                ImageSize = imageSize,
                HashFormat = options.ComputeLayerHashes ? options.HashFormat : null,
            });
        }

        var container = config.Config ?? new ContainerConfig();
        return new ResolvedImage
        {
            Reference = name,
            ManifestDigest = manifest.Digest,
            IndexDigest = indexDigest,
            MediaType = manifest.MediaType,
            Platform = new Platform { Os = config.Os ?? string.Empty, Architecture = config.Architecture ?? string.Empty, Variant = config.Variant },
            ConfigDigest = configDescriptor.ParsedDigest(),
            Config = new ImageConfigSummary
            {
                Entrypoint = container.Entrypoint ?? [],
                Cmd = container.Cmd ?? [],
                Env = container.Env ?? [],
                WorkingDir = container.WorkingDir ?? string.Empty,
                User = container.User ?? string.Empty,
                Volumes = container.Volumes?.Keys.Order(StringComparer.Ordinal).ToList() ?? [],
                DiffIds = diffIds,
                ChainIds = ChainIds(diffIds),
            },
            Layers = layers,
        };
    }

    public static IReadOnlyList<string> ChainIds(IReadOnlyList<string> diffIds)
    {
        ArgumentNullException.ThrowIfNull(diffIds);
        var chain = new List<string>();
        foreach (var diffId in diffIds)
        {
            chain.Add(chain.Count == 0
                ? diffId
                : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{chain[^1]} {diffId}"))));
        }

        return chain;
    }

    private IImageSource OpenSource(ImageLocation location) => location switch
    {
        RegistryLocation r => new RegistrySource(registry, r.Reference),
        OciLayoutLocation o => OciLayoutSource.FromDirectory(o.Path, o.Tag),
        OciArchiveLocation a => OciLayoutSource.FromArchive(a.Path, a.Tag),
        DockerArchiveLocation d => DockerArchiveSource.Open(d.Path, d.Reference),
        _ => throw new NotSupportedException($"Unsupported image location {location}."),
    };

    private static async Task<LayerHash> HashLayerAsync(
        IImageSource source, Descriptor descriptor, LayerCompression compression, LayerHashFormat format, Action<long>? progress, CancellationToken cancellationToken)
    {
        progress?.Invoke(0);
        var opened = await source.OpenBlobAsync(descriptor, cancellationToken).ConfigureAwait(false);
        await using var blob = progress is null ? opened : new ProgressStream(opened, progress);
        return await TarfsLayerHasher.HashAsync(blob, compression, format, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => registry.Dispose();
}
