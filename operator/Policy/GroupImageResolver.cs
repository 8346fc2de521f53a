using Parma.Groups.Inputs;
using Parma.Oci.Layers;
using Parma.Oci.Registry;
using Parma.Oci.Resolution;
using Parma.Policy.Generation;

namespace Parma.Operator.Policy;

/// <summary>
/// Resolves a group's image references to digests, configs and layer root hashes (through the layer
/// cache), with the group's pull-secret credentials (read in the kubelet's order by the shared
/// <see cref="PullSecretCredentials"/>, the same the webhook pre-flights with). A reference found in one of the offline image layouts is read
/// from there (e.g. the runtime's pause image on air-gapped clusters).
/// </summary>
internal sealed class GroupImageResolver : IDisposable
{
    private readonly RegistryClientOptions _registryOptions;
    private readonly LayerCache? _layerCache;
    private readonly IReadOnlyList<string> _layouts;
    private readonly ImageFactsCache _cache;
    private readonly ImageResolver _anonymous;

    public GroupImageResolver(RegistryClientOptions registryOptions, LayerCache? layerCache, IReadOnlyList<string> layouts, ImageFactsCache cache)
    {
        _registryOptions = registryOptions;
        _layerCache = layerCache;
        _layouts = layouts;
        _cache = cache;
        _anonymous = new ImageResolver(registryOptions, layerCache);
    }

    /// <summary>Facts per reference; throws <see cref="GroupPolicyException"/> naming the first reference that failed.</summary>
    public async Task<IReadOnlyDictionary<string, ImageFacts>> ResolveAsync(
        IReadOnlyList<string> references, PullSecretCredentials credentials, CancellationToken cancellationToken)
    {
        var credentialKey = credentials.Key;
        ImageResolver? withSecrets = null;
        try
        {
            if (!credentials.IsEmpty)
            {
                withSecrets = new ImageResolver(_registryOptions with { Credentials = credentials }, _layerCache);
            }

            var source = new ResolvingImageFactsSource(withSecrets ?? _anonymous, _layouts);
            var results = new Dictionary<string, ImageFacts>(StringComparer.Ordinal);
            foreach (var reference in references.Distinct(StringComparer.Ordinal))
            {
                try
                {
                    results[reference] = await _cache.GetOrResolveAsync(reference, credentialKey, () => source.GetAsync(reference, cancellationToken)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    throw new GroupPolicyException(
                        Api.GroupConditions.Reasons.ImageResolutionFailed,
                        $"image {reference} could not be resolved: {e.Message} Check the reference, that the registry is reachable, and spec.policy.imagePullSecrets.",
                        retry: true,
                        e);
                }
            }

            return results;
        }
        finally
        {
            withSecrets?.Dispose();
        }
    }

    public void Dispose() => _anonymous.Dispose();
}
