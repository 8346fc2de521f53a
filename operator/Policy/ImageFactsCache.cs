using System.Collections.Concurrent;
using Parma.Policy.Generation;

namespace Parma.Operator.Policy;

/// <summary>
/// Resolved images by reference (and credentials), each kept for <c>maxAge</c>: reconciles triggered by
/// pod changes reuse the digest, and a tag is looked up again at least once per <c>maxAge</c> so that a
/// moved tag is noticed. Failures are not cached.
/// </summary>
internal sealed class ImageFactsCache(TimeSpan maxAge, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public TimeSpan MaxAge => maxAge;

    public async Task<ImageFacts> GetOrResolveAsync(string reference, string credentialKey, Func<Task<ImageFacts>> resolve)
    {
        var key = credentialKey + "\n" + reference;
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && now - entry.ResolvedAt < maxAge)
        {
            return entry.Facts;
        }

        var facts = await resolve().ConfigureAwait(false);
        _entries[key] = new Entry(facts, now);
        return facts;
    }

    private sealed record Entry(ImageFacts Facts, DateTimeOffset ResolvedAt);
}
