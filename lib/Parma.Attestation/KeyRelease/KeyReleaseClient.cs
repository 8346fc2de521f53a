using System.Net.Http.Json;
using System.Security.Cryptography;
using Parma.Attestation.Guest;

namespace Parma.Attestation.KeyRelease;

/// <summary>A refused key release, with the service's reason code.</summary>
public sealed class KeyReleaseRefusedException(int statusCode, KeyReleaseRefusal refusal)
    : Exception($"key release refused ({statusCode} {refusal.Reason}): {refusal.Message}")
{
    public int StatusCode { get; } = statusCode;
    public KeyReleaseRefusal Refusal { get; } = refusal;
}

/// <summary>
/// The guest side of key release: a fresh RSA key pair per request, REPORT_DATA = SHA-256(canonical JWK) zero-padded,
/// report + certificate table + JWK sent to the service, the answer unwrapped with the private key.
/// </summary>
public sealed class KeyReleaseClient(HttpClient http, IAttestationReportProvider reports, int rsaKeySize = 3072)
{
    public async Task<byte[]> ReleaseAsync(string keyId, CancellationToken cancellationToken = default)
    {
        using var key = RSA.Create(rsaKeySize);
        var request = await CreateRequestAsync(key, cancellationToken);
        return await SendAsync(keyId, request, key, cancellationToken);
    }

    /// <summary>Builds the request for <paramref name="key"/> (exposed so that callers can inspect or resend it).</summary>
    public async Task<KeyReleaseRequest> CreateRequestAsync(RSA key, CancellationToken cancellationToken = default)
    {
        var jwk = RsaJwk.FromKey(key);
        var evidence = await reports.GetReportAsync(jwk.ReportData(), cancellationToken);
        return new KeyReleaseRequest(
            Convert.ToBase64String(evidence.Report),
            jwk,
            CertificateTable: Convert.ToBase64String(evidence.Certificates.ToBytes()));
    }

    public async Task<byte[]> SendAsync(string keyId, KeyReleaseRequest request, RSA key, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync($"keys/{Uri.EscapeDataString(keyId)}/release", request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            KeyReleaseRefusal? refusal = null;
            try
            {
                refusal = await response.Content.ReadFromJsonAsync<KeyReleaseRefusal>(cancellationToken);
            }
            catch (System.Text.Json.JsonException)
            {
                // Not our service's error shape; report the status alone.
            }

            throw new KeyReleaseRefusedException((int)response.StatusCode, refusal ?? new KeyReleaseRefusal("HttpError", response.ReasonPhrase ?? "request failed"));
        }

        var answer = await response.Content.ReadFromJsonAsync<KeyReleaseResponse>(cancellationToken)
            ?? throw new InvalidOperationException("the key-release service sent an empty answer");
        if (answer.Algorithm != KeyReleaseResponse.RsaOaep256)
        {
            throw new InvalidOperationException($"the key-release service used {answer.Algorithm}, not {KeyReleaseResponse.RsaOaep256}");
        }

        return key.Decrypt(Convert.FromBase64String(answer.WrappedSecret), RSAEncryptionPadding.OaepSHA256);
    }
}
