using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Parma.Api;
using Parma.Oci.Layers;
using Parma.Oci.Registry;
using Parma.Oci.Resolution;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Webhook.Groups;

namespace Parma.Webhook.Generation;

/// <summary>
/// What generating or pre-flighting a pod needs besides its spec: generator settings (the cluster's,
/// with a group's settingsRef applied), image facts (registry or offline layouts, through the layer
/// cache, each reference resolved once per process) and the ConfigMaps and Secrets its env reads.
/// </summary>
public sealed class PolicyInputs : IDisposable
{
    private readonly IClusterView _cluster;
    private readonly string _baseSettingsJson;
    private readonly string _baseSettingsName;
    private readonly ConcurrentDictionary<string, PolicySettings> _patched = new(StringComparer.Ordinal);
    private readonly ImageResolver _resolver;
    private readonly RegistryClientOptions _registryOptions;
    private readonly LayerCache? _layerCache;
    private readonly IReadOnlyList<string> _layouts;
    private readonly ConcurrentDictionary<string, (ImageResolver Resolver, IImageFactsSource Images)> _withSecrets = new(StringComparer.Ordinal);

    public PolicyInputs(IClusterView cluster, ParmaSettings settings, string? layerCacheDirectory, IReadOnlyList<string> imageLayouts)
    {
        _cluster = cluster;
        if (settings.PolicySettingsFile is { } file)
        {
            try
            {
                _baseSettingsJson = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new WebhookStartupException($"settings policySettingsFile {file}: {e.Message}", e);
            }

            _baseSettingsName = file;
        }
        else
        {
            _baseSettingsJson = PolicySettingsLoader.DefaultsJson();
            _baseSettingsName = "the embedded default settings";
        }

        try
        {
            BaseSettings = PolicySettingsLoader.Parse(_baseSettingsJson, _baseSettingsName);
        }
        catch (PolicyInputException e)
        {
            throw new WebhookStartupException(e.Message, e);
        }

        LayerCache? cache = null;
        if (layerCacheDirectory is { Length: > 0 })
        {
            try
            {
                Directory.CreateDirectory(layerCacheDirectory);
                cache = new LayerCache(layerCacheDirectory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new WebhookStartupException($"--layer-cache {layerCacheDirectory}: {e.Message}", e);
            }
        }

        _registryOptions = new RegistryClientOptions { InsecureRegistries = [.. settings.InsecureRegistries], Timeout = TimeSpan.FromMinutes(2) };
        _layerCache = cache;
        _layouts = imageLayouts;
        _resolver = new ImageResolver(_registryOptions, cache);
        Images = new DetachedImageFacts(() => new ResolvingImageFactsSource(_resolver, imageLayouts));
    }

    public PolicySettings BaseSettings { get; }

    public IImageFactsSource Images { get; }

    /// <summary>
    /// Image facts with the credentials of the pod's spec.imagePullSecrets and the group's
    /// spec.policy.imagePullSecrets (kubernetes.io/dockerconfigjson; the first secret with credentials for a
    /// registry wins, as with the kubelet). Anonymous when there are none; missing secrets are skipped.
    /// </summary>
    public async Task<IImageFactsSource> ImagesForAsync(string ns, JsonObject podSpec, JsonObject? groupPolicy, CancellationToken cancellationToken)
    {
        var names = (podSpec["imagePullSecrets"] as JsonArray ?? []).Concat(groupPolicy?["imagePullSecrets"] as JsonArray ?? [])
            .Select(s => s?["name"] is JsonValue v && v.TryGetValue<string>(out var name) ? name : null)
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var payloads = new List<string>();
        foreach (var name in names)
        {
            var secret = await _cluster.GetSecretAsync(ns, name, cancellationToken).ConfigureAwait(false);
            if (secret?.Data is { } secretData && secretData.TryGetValue(".dockerconfigjson", out var bytes))
            {
                payloads.Add(Convert.ToBase64String(bytes));
            }
        }

        if (payloads.Count == 0)
        {
            return Images;
        }

        var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", payloads))));
        if (_withSecrets.Count > 256)
        {
            foreach (var entry in _withSecrets.Values)
            {
                entry.Resolver.Dispose();
            }

            _withSecrets.Clear();
        }

        return _withSecrets.GetOrAdd(key, _ =>
        {
            var credentials = new MergedCredentials([.. payloads.Select(DockerConfigCredentials.FromKubernetesSecretData)]);
            var resolver = new ImageResolver(_registryOptions with { Credentials = credentials }, _layerCache);
            return (resolver, new DetachedImageFacts(() => new ResolvingImageFactsSource(resolver, _layouts)));
        }).Images;
    }

    /// <summary>The generator settings for a group (its spec.policy.settingsRef applied), or the base ones.</summary>
    public async Task<PolicySettings> SettingsForAsync(string ns, JsonObject? groupPolicy, CancellationToken cancellationToken)
    {
        if (groupPolicy?["settingsRef"] is not JsonObject reference || reference["name"]?.GetValue<string>() is not { Length: > 0 } name)
        {
            return BaseSettings;
        }

        var key = reference["key"]?.GetValue<string>() ?? ConfigMapKeyReference.DefaultKey;
        var source = $"ConfigMap {ns}/{name} key {key}";
        var configMap = await _cluster.GetConfigMapAsync(ns, name, live: false, cancellationToken).ConfigureAwait(false)
            ?? throw new PolicyInputException($"spec.policy.settingsRef: {source} does not exist");
        var patch = (configMap.Data is { } settingsData && settingsData.TryGetValue(key, out var patchText) ? patchText : null)
            ?? throw new PolicyInputException($"spec.policy.settingsRef: {source} has no such key");
        if (_patched.TryGetValue(patch, out var known))
        {
            return known;
        }

        var settings = PolicySettingsLoader.Parse(PolicySettingsLoader.ApplyDropIn(_baseSettingsJson, patch, source), $"{_baseSettingsName} with {source}");
        _patched[patch] = settings;
        return settings;
    }

    /// <summary>A manifest set holding the ConfigMaps and Secrets the pod's containers take environment values from.</summary>
    public async Task<ManifestSet> ReferencedResourcesAsync(string ns, JsonObject podSpec, CancellationToken cancellationToken)
    {
        var containers = Objects(podSpec, "initContainers").Concat(Objects(podSpec, "containers")).ToList();
        var configMaps = new SortedSet<string>(StringComparer.Ordinal);
        var secrets = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var container in containers)
        {
            foreach (var env in Objects(container, "env"))
            {
                AddName(configMaps, env["valueFrom"]?["configMapKeyRef"]);
                AddName(secrets, env["valueFrom"]?["secretKeyRef"]);
            }

            foreach (var from in Objects(container, "envFrom"))
            {
                AddName(configMaps, from["configMapRef"]);
                AddName(secrets, from["secretRef"]);
            }
        }

        var documents = new List<string>();
        foreach (var name in configMaps)
        {
            if (await _cluster.GetConfigMapAsync(ns, name, live: false, cancellationToken).ConfigureAwait(false) is { } configMap)
            {
                documents.Add(Document("ConfigMap", ns, name, new JsonObject(
                    (configMap.Data ?? new Dictionary<string, string>()).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)))));
            }
        }

        foreach (var name in secrets)
        {
            if (await _cluster.GetSecretAsync(ns, name, cancellationToken).ConfigureAwait(false) is { } secret)
            {
                documents.Add(Document("Secret", ns, name, new JsonObject(
                    (secret.Data ?? new Dictionary<string, byte[]>()).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Convert.ToBase64String(p.Value))))));
            }
        }

        var set = ManifestSet.Parse("", "the pod", ns);
        if (documents.Count > 0)
        {
            set.AddReferencedResources(string.Join("\n---\n", documents), "the cluster", ns);
        }

        return set;
    }

    public void Dispose()
    {
        _resolver.Dispose();
        foreach (var entry in _withSecrets.Values)
        {
            entry.Resolver.Dispose();
        }
    }

    private sealed class MergedCredentials(IReadOnlyList<DockerConfigCredentials> sources) : IRegistryCredentialProvider
    {
        public RegistryCredential? Find(string registry) => sources.Select(s => s.Find(registry)).FirstOrDefault(c => c is not null);
    }

    private static IEnumerable<JsonObject> Objects(JsonObject obj, string name) =>
        (obj[name] as JsonArray ?? []).OfType<JsonObject>();

    private static void AddName(SortedSet<string> names, JsonNode? reference)
    {
        if (reference?["name"] is JsonValue value && value.TryGetValue<string>(out var name))
        {
            names.Add(name);
        }
    }

    private static string Document(string kind, string ns, string name, JsonObject data) => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = kind,
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["data"] = data,
    }.ToJsonString();

    /// <summary>
    /// Resolutions run to completion even when the admission that started them times out, so that the
    /// next attempt (controllers retry) finds the image resolved instead of a cancelled task. A failed
    /// resolution is not remembered: the next admission starts from a fresh source and tries again.
    /// </summary>
    private sealed class DetachedImageFacts(Func<IImageFactsSource> create) : IImageFactsSource
    {
        private IImageFactsSource _current = create();

        public async Task<ImageFacts> GetAsync(string reference, CancellationToken cancellationToken)
        {
            var source = _current;
            var task = source.GetAsync(reference, CancellationToken.None);
            try
            {
                return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch when (task.IsFaulted)
            {
                Interlocked.CompareExchange(ref _current, create(), source);
                throw;
            }
        }
    }
}
