using Parma.Kube.Models;

namespace Parma.Kube.Client;

/// <summary>
/// Generic typed access to any resource whose type carries <see cref="Resources.KubeResourceAttribute"/>
/// (or is registered in <see cref="Resources.ResourceRegistry"/>). For cluster-scoped kinds pass a null namespace.
/// </summary>
public interface IKubernetesClient : IDisposable
{
    /// <summary>The default namespace of the configuration.</summary>
    string DefaultNamespace { get; }

    /// <exception cref="Errors.KubeNotFoundException">The object does not exist.</exception>
    Task<T> GetAsync<T>(string name, string? ns = null, CancellationToken cancellationToken = default)
        where T : KubeObject;

    /// <summary>Like <see cref="GetAsync{T}"/> but null when the object does not exist.</summary>
    Task<T?> GetOrDefaultAsync<T>(string name, string? ns = null, CancellationToken cancellationToken = default)
        where T : KubeObject;

    /// <summary>One page; follow <c>Metadata.Continue</c> for the next, or use <see cref="ListAllAsync{T}"/>.</summary>
    Task<KubeList<T>> ListAsync<T>(string? ns = null, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject;

    /// <summary>Every item, page by page.</summary>
    IAsyncEnumerable<T> ListAllAsync<T>(string? ns = null, ListOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject;

    /// <summary>
    /// Events until the server ends the stream or the token is cancelled.
    /// A 410 (too old resourceVersion) ends it with <see cref="Errors.KubeGoneException"/>: relist then.
    /// </summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(string? ns = null, WatchOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject;

    Task<T> CreateAsync<T>(T value, WriteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject;

    /// <summary>PUT; with metadata.resourceVersion set, fails with <see cref="Errors.KubeConflictException"/> if it is stale.</summary>
    Task<T> ReplaceAsync<T>(T value, WriteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject;

    Task<T> ReplaceStatusAsync<T>(T value, WriteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject;

    Task<T> PatchAsync<T>(string name, string? ns, KubePatch patch, WriteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject;

    Task<T> PatchStatusAsync<T>(string name, string? ns, KubePatch patch, WriteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject;

    /// <summary>Server-side apply of <paramref name="value"/> as <paramref name="fieldManager"/>.</summary>
    Task<T> ApplyAsync<T>(T value, string fieldManager, bool force = false, CancellationToken cancellationToken = default)
        where T : KubeObject;

    /// <summary>
    /// Deletes; returns the object when the server answered with it (e.g. finalizers still pending),
    /// null when it answered with a Success status.
    /// </summary>
    Task<T?> DeleteAsync<T>(string name, string? ns = null, DeleteOptions? options = null, CancellationToken cancellationToken = default)
        where T : KubeObject;
}
