namespace Parma.Operator.Controller;

/// <summary>
/// The overall retry rate limit (client-go's BucketRateLimiter): each retry takes a token; when the
/// bucket is empty, retries are spaced at <c>1/rate</c>. Returns the delay the caller must wait.
/// </summary>
internal sealed class TokenBucket(double tokensPerSecond, int burst, TimeProvider? time = null)
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private double _tokens = burst;
    private DateTimeOffset _last = (time ?? TimeProvider.System).GetUtcNow();

    public TimeSpan Reserve()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            _tokens = Math.Min(burst, _tokens + (now - _last).TotalSeconds * tokensPerSecond);
            _last = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / tokensPerSecond);
        }
    }
}
