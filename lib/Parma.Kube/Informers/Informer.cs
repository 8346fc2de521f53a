using k8s;
using k8s.Models;
using Parma.Kube.Errors;
using Parma.Kube.Resources;

namespace Parma.Kube.Informers;

public sealed record InformerOptions
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Every period, each cached object is re-delivered as an update (old == new). Null: never.</summary>
    public TimeSpan? ResyncPeriod { get; init; }

    /// <summary>Page size of the initial list and of relists.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Wait after an unexpected error before listing again.</summary>
    public TimeSpan ErrorBackoff { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// List+watch into a local <see cref="InformerStore{T}"/> over the official client (what it lacks, as
/// client-go's shared informer): handlers for each change, periodic resync, bookmarks that move the
/// resume point, a relist when the watch's resourceVersion expires (410, which the library reports only
/// through its error callback; <see cref="ResourceClient{T}.WatchAsync"/> turns it into
/// <see cref="KubeGoneException"/>), and a resume after dropped connections.
/// Handlers run one at a time on the informer's loop.
/// </summary>
public sealed class Informer<T> : IAsyncDisposable
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ResourceClient<T> _client;
    private readonly string? _namespace;
    private readonly InformerOptions _options;
    private readonly List<Func<T, CancellationToken, Task>> _onAdd = [];
    private readonly List<Func<T, T, CancellationToken, Task>> _onUpdate = [];
    private readonly List<Func<T, CancellationToken, Task>> _onDelete = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _dispatch = new(1, 1);
    private CancellationTokenSource? _stop;
    private Task? _loop;
    private Task? _resync;

    /// <param name="client">The API client.</param>
    /// <param name="ns">A namespace, or null for all namespaces (and for cluster-scoped kinds).</param>
    /// <param name="options">Selectors, resync period, paging.</param>
    public Informer(IKubernetes client, string? ns = null, InformerOptions? options = null)
    {
        _client = client.Resource<T>();
        _namespace = ns;
        _options = options ?? new InformerOptions();
    }

    public InformerStore<T> Store { get; } = new();

    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>How many times the informer listed (1 + relists); for diagnostics and tests.</summary>
    public int ListCount { get; private set; }

    /// <summary>The resourceVersion the next watch would start from.</summary>
    public string? LastResourceVersion { get; private set; }

    /// <summary>Unexpected errors of the loop and of handlers (the informer keeps going).</summary>
    public event Action<Exception>? Error;

    public Informer<T> OnAdd(Func<T, CancellationToken, Task> handler)
    {
        _onAdd.Add(handler);
        return this;
    }

    public Informer<T> OnUpdate(Func<T, T, CancellationToken, Task> handler)
    {
        _onUpdate.Add(handler);
        return this;
    }

    public Informer<T> OnDelete(Func<T, CancellationToken, Task> handler)
    {
        _onDelete.Add(handler);
        return this;
    }

    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The informer was already started.");
        }

        _stop = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_stop.Token));
        if (_options.ResyncPeriod is { } period)
        {
            _resync = Task.Run(() => ResyncAsync(period, _stop.Token));
        }
    }

    /// <summary>Completes once the first list is in the store.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken = default) => _synced.Task.WaitAsync(cancellationToken);

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_stop is null || Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var task in new[] { _loop, _resync })
        {
            if (task is not null)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping.
                }
            }
        }

        _stop.Dispose();
        _dispatch.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var needList = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    await ListAsync(cancellationToken).ConfigureAwait(false);
                    needList = false;
                }

                await WatchAsync(cancellationToken).ConfigureAwait(false);
                // The server closed the stream (timeout, dropped connection): resume from the last version.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KubeGoneException)
            {
                needList = true;
            }
            catch (Exception e)
            {
                Error?.Invoke(e);
                needList = true;
                try
                {
                    await Task.Delay(_options.ErrorBackoff, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, T>();
        string? revision = null;
        string? next = null;
        do
        {
            var page = await _client.ListAsync(
                _namespace,
                new ListOptions { LabelSelector = _options.LabelSelector, FieldSelector = _options.FieldSelector, Limit = _options.PageSize, Continue = next },
                cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                seen[InformerStore<T>.KeyOf(item)] = item;
            }

            revision ??= page.Metadata.ResourceVersion;
            next = page.Metadata.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));

        ListCount++;
        await _dispatch.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var gone in Store.List().Where(o => !seen.ContainsKey(InformerStore<T>.KeyOf(o))).ToList())
            {
                Store.Remove(gone);
                await InvokeAsync(_onDelete, gone, cancellationToken).ConfigureAwait(false);
            }

            foreach (var item in seen.Values)
            {
                var old = Store.Upsert(item);
                if (old is null)
                {
                    await InvokeAsync(_onAdd, item, cancellationToken).ConfigureAwait(false);
                }
                else if (old.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
                {
                    await InvokeUpdateAsync(old, item, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _dispatch.Release();
        }

        LastResourceVersion = revision;
        _synced.TrySetResult();
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var options = new WatchOptions
        {
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            ResourceVersion = LastResourceVersion,
            AllowWatchBookmarks = true,
            // Like client-go: the server ends the watch after a while and the informer resumes.
            TimeoutSeconds = 300 + Random.Shared.Next(300),
        };
        await foreach (var change in _client.WatchAsync(_namespace, options, e => Error?.Invoke(e), cancellationToken).ConfigureAwait(false))
        {
            await _dispatch.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                switch (change.Type)
                {
                    case WatchEventType.Added or WatchEventType.Modified:
                    {
                        var old = Store.Upsert(change.Object);
                        if (old is null)
                        {
                            await InvokeAsync(_onAdd, change.Object, cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            await InvokeUpdateAsync(old, change.Object, cancellationToken).ConfigureAwait(false);
                        }

                        break;
                    }

                    case WatchEventType.Deleted:
                        Store.Remove(change.Object);
                        await InvokeAsync(_onDelete, change.Object, cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
            finally
            {
                _dispatch.Release();
            }

            LastResourceVersion = change.Object.Metadata.ResourceVersion ?? LastResourceVersion;
        }
    }

    private async Task ResyncAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!HasSynced)
            {
                continue;
            }

            await _dispatch.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var item in Store.List())
                {
                    await InvokeUpdateAsync(item, item, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _dispatch.Release();
            }
        }
    }

    private async Task InvokeAsync(List<Func<T, CancellationToken, Task>> handlers, T item, CancellationToken cancellationToken)
    {
        foreach (var handler in handlers)
        {
            try
            {
                await handler(item, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Error?.Invoke(e);
            }
        }
    }

    private async Task InvokeUpdateAsync(T old, T item, CancellationToken cancellationToken)
    {
        foreach (var handler in _onUpdate)
        {
            try
            {
                await handler(old, item, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Error?.Invoke(e);
            }
        }
    }
}
