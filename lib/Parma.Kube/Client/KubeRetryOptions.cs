namespace Parma.Kube.Client;

/// <summary>Retries of 429 and 5xx answers on idempotent calls, with exponential backoff or the server's Retry-After.</summary>
public sealed record KubeRetryOptions
{
    public int MaxRetries { get; init; } = 4;

    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound on a server's Retry-After.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    public static KubeRetryOptions None { get; } = new() { MaxRetries = 0 };

    /// <summary>The wait before retry number <paramref name="attempt"/> (0-based).</summary>
    public TimeSpan DelayFor(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } after)
        {
            return after > MaxRetryAfter ? MaxRetryAfter : after;
        }

        var exponential = InitialDelay.TotalMilliseconds * Math.Pow(2, attempt);
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        // Jitter in the upper half so that many clients do not retry in lockstep.
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }
}
