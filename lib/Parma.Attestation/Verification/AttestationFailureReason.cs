namespace Parma.Attestation.Verification;

/// <summary>Why a report was rejected. Each check has its own code so that callers and logs can tell them apart.</summary>
public enum AttestationFailureReason
{
    MalformedReport,
    UnsupportedReportVersion,
    UnsupportedSignatureAlgorithm,
    UnsupportedSigningKey,
    MissingSigningCertificate,
    InvalidSigningCertificate,
    SignerTypeMismatch,
    BadReportSignature,
    UnknownProduct,
    ProductMismatch,
    MissingIntermediateCertificate,
    UntrustedRoot,
    LeafCertificateSignatureInvalid,
    IntermediateCertificateSignatureInvalid,
    CertificateNotYetValid,
    CertificateExpired,
    TcbMismatchWithCertificate,
    ChipIdMismatch,
    VmplMismatch,
    DebugNotAllowed,
    MigrationAgentNotAllowed,
    TcbBelowMinimum,
    MeasurementMismatch,
    HostDataMismatch,
    ReportDataMismatch,
}

/// <summary>One failed check with a message naming the values involved.</summary>
public sealed record AttestationFailure(AttestationFailureReason Reason, string Message)
{
    public override string ToString() => $"{Reason}: {Message}";
}
