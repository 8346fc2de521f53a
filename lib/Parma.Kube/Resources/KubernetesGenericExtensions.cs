using k8s;
using k8s.Models;

namespace Parma.Kube.Resources;

/// <summary>
/// Generic calls on the official client for any kind, as KubeOps offers them:
/// <c>await client.GetAsync&lt;V1ConfigMap&gt;("settings", "default")</c>. Each is
/// <see cref="ResourceClient{T}"/>'s; failures are <see cref="Errors.KubeApiException"/> subtypes.
/// </summary>
public static class KubernetesGenericExtensions
{
    public static Task<T> GetAsync<T>(this IKubernetes client, string name, string? ns = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().GetAsync(name, ns, cancellationToken);

    public static Task<T?> GetOrDefaultAsync<T>(this IKubernetes client, string name, string? ns = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().GetOrDefaultAsync(name, ns, cancellationToken);

    public static Task<ResourceList<T>> ListAsync<T>(this IKubernetes client, string? ns = null, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().ListAsync(ns, options, cancellationToken);

    public static IAsyncEnumerable<T> ListAllAsync<T>(this IKubernetes client, string? ns = null, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().ListAllAsync(ns, options, cancellationToken);

    public static IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync<T>(
        this IKubernetes client, string? ns = null, WatchOptions? options = null, Action<Exception>? onError = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().WatchAsync(ns, options, onError, cancellationToken);

    public static Task<T> CreateAsync<T>(this IKubernetes client, T value, string? fieldManager = null, bool dryRun = false, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().CreateAsync(value, fieldManager, dryRun, cancellationToken);

    public static Task<T> ReplaceAsync<T>(this IKubernetes client, T value, bool dryRun = false, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().ReplaceAsync(value, dryRun, cancellationToken);

    public static Task<T> ReplaceStatusAsync<T>(this IKubernetes client, T value, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().ReplaceStatusAsync(value, cancellationToken);

    public static Task<T> PatchAsync<T>(
        this IKubernetes client, string name, string? ns, V1Patch patch, string? fieldManager = null, bool force = false, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().PatchAsync(name, ns, patch, fieldManager, force, cancellationToken);

    public static Task<T> PatchStatusAsync<T>(
        this IKubernetes client, string name, string? ns, V1Patch patch, string? fieldManager = null, bool force = false, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().PatchStatusAsync(name, ns, patch, fieldManager, force, cancellationToken);

    public static Task<T> ApplyAsync<T>(this IKubernetes client, T value, string fieldManager, bool force = false, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().ApplyAsync(value, fieldManager, force, cancellationToken);

    public static Task<T?> DeleteAsync<T>(this IKubernetes client, string name, string? ns = null, V1DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : class, IKubernetesObject<V1ObjectMeta> => client.Resource<T>().DeleteAsync(name, ns, options, cancellationToken);
}
