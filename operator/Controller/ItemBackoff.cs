using System.Collections.Concurrent;

namespace Parma.Operator.Controller;

/// <summary>Per-key exponential backoff (client-go's ItemExponentialFailureRateLimiter): base·2^failures, capped.</summary>
internal sealed class ItemBackoff(TimeSpan baseDelay, TimeSpan maxDelay)
{
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    public static ItemBackoff Default() => new(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));

    /// <summary>Records one more failure of <paramref name="key"/> and returns how long to wait before retrying it.</summary>
    public TimeSpan Next(string key)
    {
        var failures = _failures.AddOrUpdate(key, 1, (_, n) => n + 1) - 1;
        var delay = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 62));
        return delay >= maxDelay.TotalMilliseconds ? maxDelay : TimeSpan.FromMilliseconds(delay);
    }

    public int Failures(string key) => _failures.TryGetValue(key, out var n) ? n : 0;

    public void Forget(string key) => _failures.TryRemove(key, out _);
}
