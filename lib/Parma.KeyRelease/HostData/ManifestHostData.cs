using Parma.KeyRelease.Configuration;
using Parma.Oci.Digests;
using Parma.Oci.Layers;
using Parma.Oci.Registry;
using Parma.Oci.Resolution;
using Parma.Policy;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Output;
using Parma.Policy.Settings;

namespace Parma.KeyRelease.HostData;

/// <summary>
/// Recomputes host_data from the tenant's own manifests with the generator the operator and <c>parma policy generate</c>
/// use (ManifestSet → PolicyPipeline, the same calls in the same order as the CLI), so the verifier decides from what
/// the tenant wrote, never from what a cluster reports. Images must be pinned by digest (<see cref="PinnedDigestImageFacts"/>).
/// One instance per load: images are resolved once and shared by every key.
/// </summary>
public sealed class ManifestHostData : IDisposable
{
    private readonly KeyReleaseConfiguration.GeneratorEntry _generator;
    private readonly string _baseDirectory;
    private readonly ImageResolver _resolver;
    private readonly IImageFactsSource _images;
    private readonly GroupPolicyOptions _defaults;
    private readonly Dictionary<string, PolicySettings> _settings = new(StringComparer.Ordinal);

    public ManifestHostData(KeyReleaseConfiguration.GeneratorEntry generator, string baseDirectory)
    {
        _generator = generator;
        _baseDirectory = baseDirectory;
        var pins = new Dictionary<string, Digest>(StringComparer.Ordinal);
        foreach (var (reference, digest) in generator.ImageDigests)
        {
            pins[reference] = Digest.TryParse(digest, out var parsed, out var error) && parsed.Algorithm == "sha256"
                ? parsed
                : throw new KeyReleaseConfigurationException($"generator.imageDigests['{reference}']: '{digest}' is not a sha256:<64 hex> digest ({error})");
        }

        _defaults = new GroupPolicyOptions { FormatOverride = ParseFormat(generator.Format) };
        var registryOptions = new RegistryClientOptions
        {
            InsecureRegistries = generator.InsecureRegistries,
            Credentials = Guard("generator.dockerConfig", () => DockerConfigCredentials.Load(Resolve(generator.DockerConfig))),
        };
        var cache = Resolve(generator.LayerCacheDirectory) is { } cacheDirectory ? new LayerCache(cacheDirectory) : null;
        _resolver = new ImageResolver(registryOptions, cache);
        var layouts = generator.ImageLayouts.Select(layout => Resolve(layout)!).ToList();
        foreach (var layout in layouts.Where(layout => !File.Exists(Path.Combine(layout, "index.json"))))
        {
            _resolver.Dispose();
            throw new KeyReleaseConfigurationException($"generator.imageLayouts: {layout} is not an OCI image layout (it has no index.json)");
        }

        _images = new PinnedDigestImageFacts(new ResolvingImageFactsSource(_resolver, layouts), pins);
    }

    /// <summary>The host_data of every workload in <paramref name="manifests"/> (files or directories), in order.</summary>
    /// <exception cref="KeyReleaseConfigurationException">a file is missing, has no workload, or its policy cannot be generated.</exception>
    public async Task<IReadOnlyList<ApprovedHostData>> GenerateAsync(
        string keyId,
        IReadOnlyList<string> manifests,
        IReadOnlyList<string> configFiles,
        IReadOnlyList<string> settingsPatches,
        CancellationToken cancellationToken)
    {
        var what = $"key '{keyId}': policy.manifests";
        var files = ManifestFiles.Expand(_baseDirectory, manifests, what);
        var referenced = ManifestFiles.Expand(_baseDirectory, configFiles, $"key '{keyId}': policy.configFiles");
        var generator = new PolicyPipeline(Settings(keyId, settingsPatches), _images);
        var approved = new List<ApprovedHostData>();
        foreach (var file in files)
        {
            try
            {
                var set = ManifestSet.Parse(await File.ReadAllTextAsync(file.Path, cancellationToken).ConfigureAwait(false), file.Path, _generator.Namespace);
                foreach (var configFile in referenced)
                {
                    set.AddReferencedResources(await File.ReadAllTextAsync(configFile.Path, cancellationToken).ConfigureAwait(false), configFile.Path, _generator.Namespace);
                }

                if (set.Workloads.Count == 0 && file.Named)
                {
                    throw new PolicyInputException("no workload that describes pods.");
                }

                foreach (var workload in set.Workloads)
                {
                    var policy = await generator.GenerateAsync(workload, set, _defaults, cancellationToken).ConfigureAwait(false);
                    approved.Add(new ApprovedHostData(policy.HostDataHex, $"{file.Path}: {workload.Kind} {workload.Namespace}/{workload.Name}"));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException and not KeyReleaseConfigurationException)
            {
                throw new KeyReleaseConfigurationException($"key '{keyId}': manifest {file.Path}: the policy cannot be generated: {e.Message}", e);
            }
        }

        if (approved.Count == 0)
        {
            throw new KeyReleaseConfigurationException($"{what} names no workload that describes pods ({string.Join(", ", manifests)})");
        }

        return approved;
    }

    public void Dispose() => _resolver.Dispose();

    private PolicySettings Settings(string keyId, IReadOnlyList<string> keyPatches)
    {
        var patches = _generator.SettingsPatches.Concat(keyPatches).Select(patch => Resolve(patch)!).ToList();
        var cacheKey = string.Join('\n', patches);
        if (!_settings.TryGetValue(cacheKey, out var settings))
        {
            settings = Guard($"key '{keyId}': generator settings", () => PolicySettingsLoader.Load(Resolve(_generator.Settings), patches));
            _settings[cacheKey] = settings;
        }

        return settings;
    }

    private string? Resolve(string? path) => path is null ? null : Path.GetFullPath(path, _baseDirectory);

    private static T Guard<T>(string what, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is PolicyInputException or IOException or UnauthorizedAccessException or InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new KeyReleaseConfigurationException($"{what}: {e.Message}", e);
        }
    }

    private static PolicyFormat? ParseFormat(string? value) => value switch
    {
        null => null,
        "agent-policy" => PolicyFormat.AgentPolicy,
        "initdata" => PolicyFormat.InitData,
        _ => throw new KeyReleaseConfigurationException($"generator.format '{value}' is not agent-policy or initdata"),
    };
}
