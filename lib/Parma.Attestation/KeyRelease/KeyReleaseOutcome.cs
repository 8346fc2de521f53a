namespace Parma.Attestation.KeyRelease;

/// <summary>How a key-release request ended. <see cref="Released"/> is the only success.</summary>
public enum KeyReleaseStatus
{
    Released,
    UnknownKey,
    BadRequest,
    AttestationFailed,
    ReplayedPublicKey,

    /// <summary>The service has no valid configuration (a reload failed); nothing is released.</summary>
    Unavailable,
}

public sealed record KeyReleaseOutcome(KeyReleaseStatus Status, KeyReleaseResponse? Response, KeyReleaseRefusal? Refusal)
{
    public static KeyReleaseOutcome Refuse(KeyReleaseStatus status, string reason, string message, IReadOnlyList<string>? failures = null) =>
        new(status, null, new KeyReleaseRefusal(reason, message, failures));
}
