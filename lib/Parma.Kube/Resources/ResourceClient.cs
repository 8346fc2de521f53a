using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;
using Parma.Kube.Errors;

namespace Parma.Kube.Resources;

/// <summary>
/// Typed access to one kind through the official client's generic (custom-object) routes, which serve
/// every group, the core one included, as <see cref="GenericClient"/> does; with the list, watch and write
/// options the controllers need, and failures as <see cref="KubeApiException"/> subtypes. A null namespace
/// means a cluster-scoped kind, or all namespaces when listing and watching.
/// <code>
/// var pods = client.Resource&lt;V1Pod&gt;();
/// var pod = await pods.GetOrDefaultAsync("web", "default");
/// await pods.PatchAsync("web", "default", KubePatch.Merge(new { metadata = new { labels = new { a = "b" } } }));
/// </code>
/// </summary>
public sealed class ResourceClient<T>(IKubernetes client)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly KubeResource _resource = KubeResource.For<T>();

    public IKubernetes Client => client;

    public KubeResource Resource => _resource;

    /// <exception cref="KubeNotFoundException">The object does not exist.</exception>
    public Task<T> GetAsync(string name, string? ns, CancellationToken cancellationToken = default) =>
        Body(ns is null
            ? Objects.GetClusterCustomObjectWithHttpMessagesAsync<T>(_resource.Group, _resource.Version, _resource.Plural, name, null, cancellationToken)
            : Objects.GetNamespacedCustomObjectWithHttpMessagesAsync<T>(_resource.Group, _resource.Version, ns, _resource.Plural, name, null, cancellationToken))
        .Checked(cancellationToken);

    /// <summary>Like <see cref="GetAsync"/> but null when the object does not exist.</summary>
    public Task<T?> GetOrDefaultAsync(string name, string? ns, CancellationToken cancellationToken = default) =>
        Body(ns is null
            ? Objects.GetClusterCustomObjectWithHttpMessagesAsync<T>(_resource.Group, _resource.Version, _resource.Plural, name, null, cancellationToken)
            : Objects.GetNamespacedCustomObjectWithHttpMessagesAsync<T>(_resource.Group, _resource.Version, ns, _resource.Plural, name, null, cancellationToken))
        .OrNullIfNotFound(cancellationToken);

    /// <summary>One page; follow <c>Metadata.ContinueProperty</c> for the next, or use <see cref="ListAllAsync"/>.</summary>
    public Task<ResourceList<T>> ListAsync(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        return Body(ns is null
                ? Objects.ListClusterCustomObjectWithHttpMessagesAsync<ResourceList<T>>(
                    _resource.Group, _resource.Version, _resource.Plural, continueParameter: options.Continue, fieldSelector: options.FieldSelector,
                    labelSelector: options.LabelSelector, limit: options.Limit, resourceVersion: options.ResourceVersion, cancellationToken: cancellationToken)
                : Objects.ListNamespacedCustomObjectWithHttpMessagesAsync<ResourceList<T>>(
                    _resource.Group, _resource.Version, ns, _resource.Plural, continueParameter: options.Continue, fieldSelector: options.FieldSelector,
                    labelSelector: options.LabelSelector, limit: options.Limit, resourceVersion: options.ResourceVersion, cancellationToken: cancellationToken))
            .Checked(cancellationToken);
    }

    /// <summary>Every item, page by page.</summary>
    public async IAsyncEnumerable<T> ListAllAsync(string? ns, ListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var page = options ?? new ListOptions();
        while (true)
        {
            var list = await ListAsync(ns, page, cancellationToken).ConfigureAwait(false);
            foreach (var item in list.Items)
            {
                yield return item;
            }

            if (string.IsNullOrEmpty(list.Metadata.ContinueProperty))
            {
                yield break;
            }

            page = page with { Continue = list.Metadata.ContinueProperty };
        }
    }

    /// <summary>
    /// Events until the server ends the stream, the connection drops (the stream just ends: resume from
    /// the last resourceVersion) or the token is cancelled. The library reports a watch's ERROR event
    /// (410 Gone for a compacted resourceVersion) only through its error callback; here it ends the stream
    /// with the typed error (<see cref="KubeGoneException"/>: relist). Events that do not parse go to
    /// <paramref name="onError"/> and are skipped.
    /// </summary>
    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(
        string? ns, WatchOptions? options = null, Action<Exception>? onError = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new WatchOptions();
        KubeApiException? failure = null;
        void OnError(Exception e)
        {
            if (e is KubernetesException && KubeErrors.Translate(e) is KubeApiException api)
            {
                failure ??= api;
            }
            else
            {
                onError?.Invoke(e);
            }
        }

        var events = ns is null
            ? Objects.WatchListClusterCustomObjectAsync(
                _resource.Group, _resource.Version, _resource.Plural, allowWatchBookmarks: options.AllowWatchBookmarks, fieldSelector: options.FieldSelector,
                labelSelector: options.LabelSelector, resourceVersion: options.ResourceVersion, timeoutSeconds: options.TimeoutSeconds, onError: OnError,
                cancellationToken: cancellationToken)
            : Objects.WatchListNamespacedCustomObjectAsync(
                _resource.Group, _resource.Version, ns, _resource.Plural, allowWatchBookmarks: options.AllowWatchBookmarks, fieldSelector: options.FieldSelector,
                labelSelector: options.LabelSelector, resourceVersion: options.ResourceVersion, timeoutSeconds: options.TimeoutSeconds, onError: OnError,
                cancellationToken: cancellationToken);
        var enumerator = events.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                (WatchEventType Type, object Object) change;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    change = enumerator.Current;
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    // The connection dropped: the stream simply ends.
                    break;
                }
                catch (Exception e) when (KubeErrors.Translate(e, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                if (failure is not null)
                {
                    break;
                }

                T? value = null;
                try
                {
                    value = change.Object is JsonElement element ? KubernetesJson.Deserialize<T>(element) : null;
                }
                catch (JsonException e)
                {
                    onError?.Invoke(e);
                }

                if (value is not null)
                {
                    yield return (change.Type, value);
                }
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    /// <param name="value">The object; its namespace (when set) says where it is created.</param>
    /// <param name="fieldManager">The manager recorded in managedFields.</param>
    /// <param name="dryRun">Validate and admit, store nothing.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<T> CreateAsync(T value, string? fieldManager = null, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        Stamp(value);
        var ns = value.Metadata?.NamespaceProperty;
        return Body(ns is null
                ? Objects.CreateClusterCustomObjectWithHttpMessagesAsync<T>(
                    value, _resource.Group, _resource.Version, _resource.Plural, DryRun(dryRun), fieldManager, cancellationToken: cancellationToken)
                : Objects.CreateNamespacedCustomObjectWithHttpMessagesAsync<T>(
                    value, _resource.Group, _resource.Version, ns, _resource.Plural, DryRun(dryRun), fieldManager, cancellationToken: cancellationToken))
            .Checked(cancellationToken);
    }

    /// <summary>
    /// PUT of the whole object, conditional on its metadata.resourceVersion when set (409 if stale). A PUT
    /// writes only what <typeparamref name="T"/> knows: controllers patch the fields they own instead.
    /// </summary>
    public Task<T> ReplaceAsync(T value, bool dryRun = false, CancellationToken cancellationToken = default) =>
        SendReplaceAsync(value, status: false, dryRun, cancellationToken);

    /// <summary>PUT of the status subresource (see <see cref="ReplaceAsync"/>).</summary>
    public Task<T> ReplaceStatusAsync(T value, CancellationToken cancellationToken = default) =>
        SendReplaceAsync(value, status: true, dryRun: false, cancellationToken);

    /// <summary>A merge, JSON or apply patch of the object (<see cref="KubePatch"/> builds them).</summary>
    public Task<T> PatchAsync(string name, string? ns, V1Patch patch, string? fieldManager = null, bool force = false, CancellationToken cancellationToken = default) =>
        SendPatchAsync(name, ns, patch, fieldManager, force, status: false, cancellationToken);

    /// <summary>A patch of the status subresource: only status changes, whatever else the patch says.</summary>
    public Task<T> PatchStatusAsync(string name, string? ns, V1Patch patch, string? fieldManager = null, bool force = false, CancellationToken cancellationToken = default) =>
        SendPatchAsync(name, ns, patch, fieldManager, force, status: true, cancellationToken);

    /// <summary>Server-side apply of <paramref name="value"/> (the fields it sets) as <paramref name="fieldManager"/>.</summary>
    public Task<T> ApplyAsync(T value, string fieldManager, bool force = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentException.ThrowIfNullOrEmpty(fieldManager);
        Stamp(value);
        var name = value.Metadata?.Name is { Length: > 0 } n ? n : throw new ArgumentException($"{typeof(T).Name} has no metadata.name.", nameof(value));
        return SendPatchAsync(name, value.Metadata.NamespaceProperty, KubePatch.Apply(value), fieldManager, force, status: false, cancellationToken);
    }

    /// <summary>
    /// Deletes; returns the object when the server answered with it (e.g. finalizers still pending, or
    /// kinds whose delete returns the object), null when it answered with a Success status.
    /// </summary>
    public async Task<T?> DeleteAsync(string name, string? ns, V1DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var answer = await Body(ns is null
                ? Objects.DeleteClusterCustomObjectWithHttpMessagesAsync<JsonElement>(
                    _resource.Group, _resource.Version, _resource.Plural, name, options, cancellationToken: cancellationToken)
                : Objects.DeleteNamespacedCustomObjectWithHttpMessagesAsync<JsonElement>(
                    _resource.Group, _resource.Version, ns, _resource.Plural, name, options, cancellationToken: cancellationToken))
            .Checked(cancellationToken).ConfigureAwait(false);
        return answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("kind", out var kind) && kind.GetString() != "Status"
            ? KubernetesJson.Deserialize<T>(answer)
            : null;
    }

    private ICustomObjectsOperations Objects => client.CustomObjects;

    private Task<T> SendReplaceAsync(T value, bool status, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        Stamp(value);
        var name = value.Metadata?.Name is { Length: > 0 } n ? n : throw new ArgumentException($"{typeof(T).Name} has no metadata.name.", nameof(value));
        var ns = value.Metadata.NamespaceProperty;
        var call = (ns, status) switch
        {
            (null, false) => Objects.ReplaceClusterCustomObjectWithHttpMessagesAsync<T>(
                value, _resource.Group, _resource.Version, _resource.Plural, name, DryRun(dryRun), cancellationToken: cancellationToken),
            (null, true) => Objects.ReplaceClusterCustomObjectStatusWithHttpMessagesAsync<T>(
                value, _resource.Group, _resource.Version, _resource.Plural, name, cancellationToken: cancellationToken),
            (_, false) => Objects.ReplaceNamespacedCustomObjectWithHttpMessagesAsync<T>(
                value, _resource.Group, _resource.Version, ns, _resource.Plural, name, DryRun(dryRun), cancellationToken: cancellationToken),
            (_, true) => Objects.ReplaceNamespacedCustomObjectStatusWithHttpMessagesAsync<T>(
                value, _resource.Group, _resource.Version, ns, _resource.Plural, name, cancellationToken: cancellationToken),
        };
        return Body(call).Checked(cancellationToken);
    }

    private Task<T> SendPatchAsync(string name, string? ns, V1Patch patch, string? fieldManager, bool force, bool status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        if (patch.Type == V1Patch.PatchType.ApplyPatch && string.IsNullOrEmpty(fieldManager))
        {
            throw new ArgumentException("Server-side apply needs a field manager.", nameof(fieldManager));
        }

        bool? forced = force ? true : null;
        var call = (ns, status) switch
        {
            (null, false) => Objects.PatchClusterCustomObjectWithHttpMessagesAsync<T>(
                patch, _resource.Group, _resource.Version, _resource.Plural, name, fieldManager: fieldManager, force: forced, cancellationToken: cancellationToken),
            (null, true) => Objects.PatchClusterCustomObjectStatusWithHttpMessagesAsync<T>(
                patch, _resource.Group, _resource.Version, _resource.Plural, name, fieldManager: fieldManager, force: forced, cancellationToken: cancellationToken),
            (_, false) => Objects.PatchNamespacedCustomObjectWithHttpMessagesAsync<T>(
                patch, _resource.Group, _resource.Version, ns, _resource.Plural, name, fieldManager: fieldManager, force: forced, cancellationToken: cancellationToken),
            (_, true) => Objects.PatchNamespacedCustomObjectStatusWithHttpMessagesAsync<T>(
                patch, _resource.Group, _resource.Version, ns, _resource.Plural, name, fieldManager: fieldManager, force: forced, cancellationToken: cancellationToken),
        };
        return Body(call).Checked(cancellationToken);
    }

    private void Stamp(T value)
    {
        if (string.IsNullOrEmpty(value.ApiVersion))
        {
            value.ApiVersion = _resource.ApiVersion;
        }

        if (string.IsNullOrEmpty(value.Kind))
        {
            value.Kind = _resource.Kind;
        }
    }

    private static string? DryRun(bool dryRun) => dryRun ? "All" : null;

    private static async Task<TBody> Body<TBody>(Task<k8s.Autorest.HttpOperationResponse<TBody>> call)
    {
        using var response = await call.ConfigureAwait(false);
        return response.Body;
    }
}

/// <summary>Entry points: <c>client.Resource&lt;V1Pod&gt;()</c>.</summary>
public static class ResourceClientExtensions
{
    public static ResourceClient<T> Resource<T>(this IKubernetes client)
        where T : class, IKubernetesObject<V1ObjectMeta> => new(client);
}
