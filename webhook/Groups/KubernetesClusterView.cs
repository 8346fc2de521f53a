using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Kube.Informers;
using Parma.Kube.Resources;

namespace Parma.Webhook.Groups;

/// <summary>
/// The cluster through the API server: groups, the operator's policy ConfigMaps and namespaces are
/// watched into informer caches; everything else (and live reads) is a GET.
/// </summary>
public sealed class KubernetesClusterView : IClusterView, IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly Informer<ConfidentialPodGroup> _groups;
    private readonly Informer<V1ConfigMap> _policies;
    private readonly Informer<V1Namespace> _namespaces;

    public KubernetesClusterView(IKubernetes client, ILogger logger)
    {
        _client = client;
        _groups = new Informer<ConfidentialPodGroup>(client);
        _policies = new Informer<V1ConfigMap>(client, null, new InformerOptions { LabelSelector = $"{ParmaLabels.ManagedBy}={ParmaLabels.ManagedByValue}" });
        _namespaces = new Informer<V1Namespace>(client);
        _groups.Error += e => logger.LogWarning("ConfidentialPodGroup watch: {Error}", e.Message);
        _policies.Error += e => logger.LogWarning("policy ConfigMap watch: {Error}", e.Message);
        _namespaces.Error += e => logger.LogWarning("Namespace watch: {Error}", e.Message);
    }

    public bool IsSynced => _groups.HasSynced && _policies.HasSynced && _namespaces.HasSynced;

    public void Start()
    {
        _groups.Start();
        _policies.Start();
        _namespaces.Start();
    }

    public Task WaitForSyncAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_groups.WaitForSyncAsync(cancellationToken), _policies.WaitForSyncAsync(cancellationToken), _namespaces.WaitForSyncAsync(cancellationToken));

    public async Task<ConfidentialPodGroup?> GetGroupAsync(string ns, string name, bool live, CancellationToken cancellationToken) =>
        !live && _groups.Store.Get(ns, name) is { } cached
            ? cached
            : await _client.GetOrDefaultAsync<ConfidentialPodGroup>(name, ns, cancellationToken).ConfigureAwait(false);

    public IReadOnlyList<string> NamespacesWithGroup(string name) =>
        [.. _groups.Store.List().Where(g => g.Metadata.Name == name).Select(g => g.Metadata.NamespaceProperty ?? "").Order(StringComparer.Ordinal)];

    public async Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, bool live, CancellationToken cancellationToken) =>
        !live && _policies.Store.Get(ns, name) is { } cached
            ? cached
            : await _client.GetOrDefaultAsync<V1ConfigMap>(name, ns, cancellationToken).ConfigureAwait(false);

    public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken) =>
        _client.GetOrDefaultAsync<V1Secret>(name, ns, cancellationToken);

    public Task<V1ServiceAccount?> GetServiceAccountAsync(string ns, string name, CancellationToken cancellationToken) =>
        _client.GetOrDefaultAsync<V1ServiceAccount>(name, ns, cancellationToken);

    public async Task<V1Namespace?> GetNamespaceAsync(string name, CancellationToken cancellationToken) =>
        _namespaces.Store.Get(null, name)
            ?? await _client.GetOrDefaultAsync<V1Namespace>(name, null, cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await _groups.DisposeAsync().ConfigureAwait(false);
        await _policies.DisposeAsync().ConfigureAwait(false);
        await _namespaces.DisposeAsync().ConfigureAwait(false);
    }
}
