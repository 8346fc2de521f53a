using Parma.Attestation.Certificates;
using Parma.Attestation.Verification;

namespace Parma.Attestation.Guest;

/// <summary>A report as obtained inside a guest, with the certificate table the host attached (may be empty).</summary>
public sealed record AttestationEvidence(byte[] Report, CertificateTable Certificates)
{
    public SnpEvidence ToSnpEvidence() => SnpEvidence.FromCertificateTable(Report, Certificates);
}

/// <summary>Obtains an SEV-SNP attestation report whose REPORT_DATA is the given 64 bytes.</summary>
public interface IAttestationReportProvider
{
    /// <summary>A short name for logs ("configfs-tsm", "sev-guest", "development").</summary>
    string Name { get; }

    Task<AttestationEvidence> GetReportAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default);
}

/// <summary>The platform could not produce a report; the message names the interface and the cause.</summary>
public sealed class AttestationUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
