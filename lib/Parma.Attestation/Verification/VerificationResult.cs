using Parma.Attestation.Report;

namespace Parma.Attestation.Verification;

/// <summary>The outcome of verifying one report: valid only when there are no failures.</summary>
public sealed record VerificationResult(
    SnpReport? Report,
    SnpProduct Product,
    SigningKey? Signer,
    bool SignatureValid,
    bool ChainValid,
    bool TcbMatchesCertificate,
    IReadOnlyList<AttestationFailure> Failures)
{
    public bool IsValid => Failures.Count == 0;

    public bool Has(AttestationFailureReason reason) => Failures.Any(failure => failure.Reason == reason);
}
