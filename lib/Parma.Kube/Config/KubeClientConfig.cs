using System.Security.Cryptography.X509Certificates;

namespace Parma.Kube.Config;

/// <summary>Everything needed to reach one API server as one identity.</summary>
public sealed class KubeClientConfig
{
    public required Uri Server { get; init; }

    /// <summary>Roots trusted for the server's certificate; empty means the system store.</summary>
    public X509Certificate2Collection CertificateAuthorities { get; init; } = [];

    public X509Certificate2? ClientCertificate { get; init; }

    public ITokenProvider? TokenProvider { get; init; }

    public bool SkipTlsVerify { get; init; }

    /// <summary>Default namespace of the context (or of the pod, in cluster).</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Time limit of one non-watch request, including retries.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public RetryPolicy Retry { get; init; } = new();

    /// <summary>Tests can plug in a handler that sees every request.</summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? WrapHandler { get; init; }
}

/// <summary>Retries of 429 and 5xx answers on idempotent calls, with exponential backoff.</summary>
public sealed record RetryPolicy
{
    public int MaxRetries { get; init; } = 4;

    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound on a server's Retry-After.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    public static RetryPolicy None { get; } = new() { MaxRetries = 0 };

    public TimeSpan DelayFor(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } after)
        {
            return after > MaxRetryAfter ? MaxRetryAfter : after;
        }

        var exponential = InitialDelay.TotalMilliseconds * Math.Pow(2, attempt);
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        // Full jitter in the upper half so that many clients do not retry in lockstep.
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }
}
