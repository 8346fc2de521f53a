using Parma.Kube.Models;

namespace Parma.Kube.Client;

/// <summary>
/// One resource type in one namespace (or cluster-wide), like KubernetesClient's GenericClient:
/// <c>var pods = client.For&lt;Pod&gt;("default"); await pods.GetAsync("web");</c>
/// </summary>
public sealed class ResourceClient<T>(IKubernetesClient client, string? ns)
    where T : KubeObject
{
    public string? Namespace { get; } = ns;

    public Task<T> GetAsync(string name, CancellationToken cancellationToken = default) =>
        client.GetAsync<T>(name, Namespace, cancellationToken);

    public Task<T?> GetOrDefaultAsync(string name, CancellationToken cancellationToken = default) =>
        client.GetOrDefaultAsync<T>(name, Namespace, cancellationToken);

    public Task<KubeList<T>> ListAsync(ListOptions? options = null, CancellationToken cancellationToken = default) =>
        client.ListAsync<T>(Namespace, options, cancellationToken);

    public IAsyncEnumerable<T> ListAllAsync(ListOptions? options = null, CancellationToken cancellationToken = default) =>
        client.ListAllAsync<T>(Namespace, options, cancellationToken);

    public IAsyncEnumerable<WatchEvent<T>> WatchAsync(WatchOptions? options = null, CancellationToken cancellationToken = default) =>
        client.WatchAsync<T>(Namespace, options, cancellationToken);

    public Task<T> CreateAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        client.CreateAsync(InNamespace(value), options, cancellationToken);

    public Task<T> ReplaceAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        client.ReplaceAsync(InNamespace(value), options, cancellationToken);

    public Task<T> ReplaceStatusAsync(T value, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        client.ReplaceStatusAsync(InNamespace(value), options, cancellationToken);

    public Task<T> PatchAsync(string name, KubePatch patch, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        client.PatchAsync<T>(name, Namespace, patch, options, cancellationToken);

    public Task<T> PatchStatusAsync(string name, KubePatch patch, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        client.PatchStatusAsync<T>(name, Namespace, patch, options, cancellationToken);

    public Task<T> ApplyAsync(T value, string fieldManager, bool force = false, CancellationToken cancellationToken = default) =>
        client.ApplyAsync(InNamespace(value), fieldManager, force, cancellationToken);

    public Task<T?> DeleteAsync(string name, DeleteOptions? options = null, CancellationToken cancellationToken = default) =>
        client.DeleteAsync<T>(name, Namespace, options, cancellationToken);

    private T InNamespace(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Namespace is not null)
        {
            value.Metadata.Namespace ??= Namespace;
        }

        return value;
    }
}

public static class ResourceClientExtensions
{
    /// <summary>A client for one resource type; <paramref name="ns"/> null means all namespaces or a cluster-scoped kind.</summary>
    public static ResourceClient<T> For<T>(this IKubernetesClient client, string? ns = null)
        where T : KubeObject => new(client, ns);
}
