using System.Collections.Concurrent;

namespace Parma.Attestation.KeyRelease;

/// <summary>Refuses a public key (by JWK thumbprint) that has already been used to obtain a secret.</summary>
public interface IReplayGuard
{
    /// <summary>True the first time a thumbprint is offered, false ever after.</summary>
    bool TryConsume(string thumbprint);
}

/// <summary>Process-local replay memory (a restarted service forgets; persist it for multi-replica deployments).</summary>
public sealed class InMemoryReplayGuard(TimeProvider? time = null) : IReplayGuard
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public bool TryConsume(string thumbprint) => _seen.TryAdd(thumbprint, _time.GetUtcNow());
}
