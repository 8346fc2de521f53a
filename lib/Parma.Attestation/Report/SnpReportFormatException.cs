namespace Parma.Attestation.Report;

/// <summary>The bytes are not an SEV-SNP attestation report this library understands.</summary>
public sealed class SnpReportFormatException(string message) : Exception(message);
