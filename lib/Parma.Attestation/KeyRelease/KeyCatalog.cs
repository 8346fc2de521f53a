using Parma.Attestation.Verification;

namespace Parma.Attestation.KeyRelease;

/// <summary>
/// The secrets a key-release service guards, each with its validated release policy, and the verifier (pinned roots)
/// their reports are checked with. Immutable: a reload builds a new catalog and installs it in a <see cref="KeyCatalogSlot"/>.
/// </summary>
public sealed class KeyCatalog
{
    private readonly Dictionary<string, ReleasableSecret> _secrets = new(StringComparer.Ordinal);

    /// <exception cref="InvalidDataException">a policy could release to something the tenant did not name, or an id repeats.</exception>
    public KeyCatalog(IEnumerable<ReleasableSecret> secrets, SnpReportVerifier verifier)
    {
        Verifier = verifier;
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret.KeyId))
            {
                throw new InvalidDataException("a key has no id");
            }

            secret.Policy.Validate(secret.KeyId);
            if (!_secrets.TryAdd(secret.KeyId, secret))
            {
                throw new InvalidDataException($"key '{secret.KeyId}' is configured twice");
            }
        }
    }

    public SnpReportVerifier Verifier { get; }

    public IReadOnlyCollection<ReleasableSecret> Secrets => _secrets.Values;

    public bool TryGet(string keyId, out ReleasableSecret secret) => _secrets.TryGetValue(keyId, out secret!);
}

/// <summary>
/// The catalog in force. A failed reload empties the slot with the reason (every release is then refused until a
/// reload succeeds): a reload may have been meant to revoke a policy, so the previous catalog is not kept.
/// </summary>
public sealed class KeyCatalogSlot
{
    private volatile State _state;

    public KeyCatalogSlot(KeyCatalog catalog) => _state = new State(catalog, null);

    /// <summary>The catalog, or null with the reason it is unavailable. Read once per request.</summary>
    public (KeyCatalog? Catalog, string? Unavailable) Read()
    {
        var state = _state;
        return (state.Catalog, state.Unavailable);
    }

    public bool IsAvailable => _state.Catalog is not null;

    public void Install(KeyCatalog catalog) => _state = new State(catalog, null);

    /// <param name="reason">Shown to every requester: say what happened, keep the tenant's file names and errors for the log.</param>
    public void Invalidate(string reason) => _state = new State(null, reason);

    private sealed record State(KeyCatalog? Catalog, string? Unavailable);
}
