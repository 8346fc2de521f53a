using System.Text.Json.Serialization;

namespace Parma.Attestation.KeyRelease;

/// <summary>
/// POST /keys/{keyId}/release body. <see cref="Report"/> and the certificates are standard base64; the certificate table
/// (auxblob) may be given instead of the individual certificates.
/// </summary>
public sealed record KeyReleaseRequest(
    [property: JsonPropertyName("report")] string Report,
    [property: JsonPropertyName("publicKey")] RsaJwk PublicKey,
    [property: JsonPropertyName("signingCertificate")] string? SigningCertificate = null,
    [property: JsonPropertyName("certificateChain")] IReadOnlyList<string>? CertificateChain = null,
    [property: JsonPropertyName("certificateTable")] string? CertificateTable = null);

/// <summary>200 answer: the secret encrypted with RSA-OAEP-256 (OAEP, SHA-256, MGF1-SHA-256) to the request's public key.</summary>
public sealed record KeyReleaseResponse(
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("wrappedSecret")] string WrappedSecret,
    [property: JsonPropertyName("thumbprint")] string Thumbprint)
{
    public const string RsaOaep256 = "RSA-OAEP-256";
}

/// <summary>Error answer: a stable reason code and a message naming what failed.</summary>
public sealed record KeyReleaseRefusal(
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("failures")] IReadOnlyList<string>? Failures = null);
