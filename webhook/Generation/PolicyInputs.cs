using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Groups.Inputs;
using Parma.Oci.Layers;
using Parma.Oci.Registry;
using Parma.Oci.Resolution;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Webhook.Groups;

namespace Parma.Webhook.Generation;

/// <summary>
/// What generating or pre-flighting a pod needs besides its spec: its group inputs (generator settings
/// with a group's settingsRef applied, the ConfigMaps and Secrets its env reads, pull-secret credentials;
/// read through the library the operator reads them with) and image facts (registry or offline layouts,
/// through the layer cache, each reference resolved once per process).
/// </summary>
public sealed class PolicyInputs : IDisposable
{
    private readonly GroupInputsReader _inputs;
    private readonly ImageResolver _resolver;
    private readonly RegistryClientOptions _registryOptions;
    private readonly LayerCache? _layerCache;
    private readonly IReadOnlyList<string> _layouts;
    private readonly ConcurrentDictionary<string, (ImageResolver Resolver, IImageFactsSource Images)> _withSecrets = new(StringComparer.Ordinal);

    public PolicyInputs(IClusterView cluster, ParmaSettings settings, string? layerCacheDirectory, IReadOnlyList<string> imageLayouts)
    {
        PolicySettingsCatalog catalog;
        try
        {
            catalog = PolicySettingsCatalog.Load(settings.PolicySettingsFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WebhookStartupException($"settings policySettingsFile {settings.PolicySettingsFile}: {e.Message}", e);
        }
        catch (PolicyInputException e)
        {
            throw new WebhookStartupException(e.Message, e);
        }

        _inputs = new GroupInputsReader(new ClusterGroupInputReader(cluster), catalog);
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

    public PolicySettings BaseSettings => _inputs.Settings.Base;

    public IImageFactsSource Images { get; }

    /// <summary>
    /// A pod's policy inputs (settingsRef overrides, env ConfigMaps and Secrets, pull-secret credentials),
    /// read by the same <see cref="GroupInputsReader"/> as the operator's, in the pod's namespace.
    /// </summary>
    /// <param name="ns">The pod's namespace.</param>
    /// <param name="podSpec">The pod's spec as admitted.</param>
    /// <param name="groupPolicy">The group's spec.policy for a group's pod; null for an opted-in pod.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="GroupInputException">The settings overrides or a pull secret cannot be used.</exception>
    public Task<GroupInputs> ReadAsync(string ns, JsonObject podSpec, GroupPolicySpec? groupPolicy, CancellationToken cancellationToken)
    {
        V1PodSpec spec;
        try
        {
            spec = KubernetesJson.Deserialize<V1PodSpec>(podSpec.ToJsonString());
        }
        catch (JsonException e)
        {
            throw new PolicyInputException($"spec: {e.Message}", e);
        }

        return _inputs.ReadAsync(ns, spec, groupPolicy, cancellationToken);
    }

    /// <summary>Image facts resolved with <paramref name="credentials"/> (anonymous when there are none); one resolver per distinct credentials.</summary>
    public IImageFactsSource ImagesFor(PullSecretCredentials credentials)
    {
        if (credentials.IsEmpty)
        {
            return Images;
        }

        if (_withSecrets.Count > 256)
        {
            foreach (var entry in _withSecrets.Values)
            {
                entry.Resolver.Dispose();
            }

            _withSecrets.Clear();
        }

        return _withSecrets.GetOrAdd(credentials.Key, _ =>
        {
            var resolver = new ImageResolver(_registryOptions with { Credentials = credentials }, _layerCache);
            return (resolver, new DetachedImageFacts(() => new ResolvingImageFactsSource(resolver, _layouts)));
        }).Images;
    }

    /// <summary>A manifest set holding the ConfigMaps and Secrets the pod's containers take environment values from.</summary>
    public static ManifestSet Manifests(GroupInputs inputs, string ns)
    {
        var set = ManifestSet.From([], "the pod", ns);
        set.AddReferencedResources(inputs.ReferencedResources, ns);
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
