namespace Parma.Operator.Controller;

/// <summary>
/// A controller work queue with client-go's guarantees: a key is queued at most once however often it
/// is added (dedup); a key being processed is never handed to a second worker (per-key serialisation;
/// adds during processing re-queue it once processing is done); retries are delayed by per-key
/// exponential backoff and an overall token bucket. <see cref="ShutDown"/> stops handing out keys
/// while workers finish what they hold.
/// </summary>
internal sealed class WorkQueue : IDisposable
{
    private readonly Lock _gate = new();
    private readonly LinkedList<string> _queue = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _processing = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _available = new(0);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ItemBackoff _backoff;
    private readonly TokenBucket _bucket;

    public WorkQueue(ItemBackoff? backoff = null, TokenBucket? bucket = null)
    {
        _backoff = backoff ?? ItemBackoff.Default();
        _bucket = bucket ?? new TokenBucket(10, 100);
    }

    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public bool IsShuttingDown => _shutdown.IsCancellationRequested;

    public void Add(string key)
    {
        lock (_gate)
        {
            if (_shutdown.IsCancellationRequested || !_dirty.Add(key))
            {
                return;
            }

            if (_processing.Contains(key))
            {
                return;
            }

            _queue.AddLast(key);
        }

        _available.Release();
    }

    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        _ = Task.Delay(delay, _shutdown.Token).ContinueWith(
            t =>
            {
                if (!t.IsCanceled)
                {
                    Add(key);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Re-adds a key after a failure: the longer of its own backoff and the overall rate limit.</summary>
    public TimeSpan AddRateLimited(string key)
    {
        var perKey = _backoff.Next(key);
        var overall = _bucket.Reserve();
        var delay = perKey > overall ? perKey : overall;
        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Clears a key's failure history after it succeeded.</summary>
    public void Forget(string key) => _backoff.Forget(key);

    public int Failures(string key) => _backoff.Failures(key);

    /// <summary>The next key to process, or null once the queue shuts down.</summary>
    public async Task<string?> GetAsync(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        while (true)
        {
            try
            {
                await _available.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
                return null;
            }

            lock (_gate)
            {
                if (_queue.First is not { } first)
                {
                    continue;
                }

                _queue.RemoveFirst();
                _processing.Add(first.Value);
                _dirty.Remove(first.Value);
                return first.Value;
            }
        }
    }

    /// <summary>Marks a key processed; if it was added meanwhile it goes back in the queue.</summary>
    public void Done(string key)
    {
        var requeue = false;
        lock (_gate)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_shutdown.IsCancellationRequested)
            {
                _queue.AddLast(key);
                requeue = true;
            }
        }

        if (requeue)
        {
            _available.Release();
        }
    }

    public void ShutDown() => _shutdown.Cancel();

    public void Dispose()
    {
        _shutdown.Cancel();
        _shutdown.Dispose();
        _available.Dispose();
    }
}
