using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Parma.Testing.ApiServer.Faults;

/// <summary>What a fault does to a matching request.</summary>
public enum FaultAction
{
    /// <summary>Answer with an error status (409, 429, 500, …) and a Status body.</summary>
    Fail,

    /// <summary>Wait, then serve the request normally.</summary>
    Delay,

    /// <summary>Abort the connection (for a watch: after the response has started).</summary>
    Drop,
}

/// <summary>A fault rule: the next <see cref="Count"/> requests for which <see cref="Matches"/> holds get <see cref="Action"/>.</summary>
public sealed class Fault
{
    public required Func<HttpRequest, bool> Matches { get; init; }

    public FaultAction Action { get; init; } = FaultAction.Fail;

    public int Count { get; set; } = 1;

    public int StatusCode { get; init; } = 500;

    public int? RetryAfterSeconds { get; init; }

    public TimeSpan Delay { get; init; }

    public static Func<HttpRequest, bool> Verb(string method, string? pathContains = null) =>
        r => string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)
             && (pathContains is null || r.Path.Value!.Contains(pathContains, StringComparison.Ordinal))
             && !IsWatch(r);

    public static Func<HttpRequest, bool> Watch(string? pathContains = null) =>
        r => IsWatch(r) && (pathContains is null || r.Path.Value!.Contains(pathContains, StringComparison.Ordinal));

    public static bool IsWatch(HttpRequest request) =>
        string.Equals(request.Query["watch"], "true", StringComparison.OrdinalIgnoreCase) || request.Query["watch"] == "1";
}

public sealed class FaultInjector
{
    private readonly ConcurrentQueue<Fault> _faults = new();

    public void Add(Fault fault) => _faults.Enqueue(fault);

    public void Clear() => _faults.Clear();

    /// <summary>Takes one use of the first matching rule, if any.</summary>
    public Fault? Take(HttpRequest request)
    {
        foreach (var fault in _faults)
        {
            lock (fault)
            {
                if (fault.Count > 0 && fault.Matches(request))
                {
                    fault.Count--;
                    return fault;
                }
            }
        }

        return null;
    }
}
