using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Parma.Attestation.Certificates;
using Parma.Attestation.Verification;

namespace Parma.Attestation.KeyRelease;

/// <summary>
/// The relying party of the paper's figure 4: verifies the guest's report against a secret's release policy, checks that
/// REPORT_DATA binds the offered public key (SHA-256 of its canonical JWK, zero-padded), refuses a public key seen before,
/// and wraps the secret to that key with RSA-OAEP-256. The policy comes only from the installed <see cref="KeyCatalog"/>
/// (the tenant's configuration); nothing in the request widens it. Every decision is logged; secrets never are.
/// </summary>
public sealed class KeyReleaseService(KeyCatalogSlot catalogs, IReplayGuard replayGuard, ILogger<KeyReleaseService> logger)
{
    public Task<KeyReleaseOutcome> ReleaseAsync(string keyId, KeyReleaseRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (catalog, unavailable) = catalogs.Read();
        if (catalog is null)
        {
            return Task.FromResult(Decide(keyId, null, KeyReleaseOutcome.Refuse(
                KeyReleaseStatus.Unavailable, "ConfigurationUnavailable", $"the service has no valid configuration, so it releases nothing: {unavailable}")));
        }

        if (!catalog.TryGet(keyId, out var secret))
        {
            return Task.FromResult(Decide(keyId, null, KeyReleaseOutcome.Refuse(KeyReleaseStatus.UnknownKey, "UnknownKey", $"no secret named '{keyId}'")));
        }

        SnpEvidence evidence;
        RSA publicKey;
        string thumbprint;
        try
        {
            if (request.PublicKey is null || string.IsNullOrEmpty(request.Report))
            {
                throw new FormatException("report and publicKey are required");
            }

            publicKey = request.PublicKey.ToKey();
            thumbprint = request.PublicKey.Thumbprint();
            evidence = ReadEvidence(request);
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentException)
        {
            return Task.FromResult(Decide(keyId, null, KeyReleaseOutcome.Refuse(KeyReleaseStatus.BadRequest, "BadRequest", e.Message)));
        }

        using (publicKey)
        {
            var result = catalog.Verifier.Verify(evidence, ToVerificationPolicy(secret.Policy, request.PublicKey));
            if (!result.IsValid)
            {
                return Task.FromResult(Decide(keyId, thumbprint, KeyReleaseOutcome.Refuse(
                    KeyReleaseStatus.AttestationFailed,
                    result.Failures[0].Reason.ToString(),
                    $"the attestation report does not satisfy the release policy of key '{keyId}': {result.Failures[0].Message}",
                    [.. result.Failures.Select(failure => failure.ToString())]), result));
            }

            if (!replayGuard.TryConsume(thumbprint))
            {
                return Task.FromResult(Decide(keyId, thumbprint, KeyReleaseOutcome.Refuse(
                    KeyReleaseStatus.ReplayedPublicKey, "ReplayedPublicKey", "this public key has already been used to obtain a secret"), result));
            }

            var wrapped = publicKey.Encrypt(secret.Secret, RSAEncryptionPadding.OaepSHA256);
            var response = new KeyReleaseResponse(keyId, KeyReleaseResponse.RsaOaep256, Convert.ToBase64String(wrapped), thumbprint);
            return Task.FromResult(Decide(keyId, thumbprint, new KeyReleaseOutcome(KeyReleaseStatus.Released, response, null), result));
        }
    }

    /// <summary>The verifier's view of a release policy: debug never, VMPL 0 always, REPORT_DATA bound to the offered key.</summary>
    internal static VerificationPolicy ToVerificationPolicy(KeyReleasePolicy policy, RsaJwk publicKey) => new()
    {
        RequiredVmpl = 0,
        AllowDebug = false,
        AllowMigrationAgent = policy.AllowMigrationAgent,
        MinimumTcb = policy.MinimumTcb,
        AllowedMeasurements = policy.AllowAnyMeasurement ? null : [.. policy.AllowedMeasurements.Select(Convert.FromHexString)],
        AllowedHostData = [.. policy.AllowedHostData.Select(Convert.FromHexString)],
        ExpectedReportData = publicKey.ReportData(),
    };

    private static SnpEvidence ReadEvidence(KeyReleaseRequest request)
    {
        var report = Convert.FromBase64String(request.Report);
        if (request.CertificateTable is { } table)
        {
            return SnpEvidence.FromCertificateTable(report, CertificateTable.Parse(Convert.FromBase64String(table)));
        }

        var leaf = request.SigningCertificate is null ? null : X509CertificateLoader.LoadCertificate(Convert.FromBase64String(request.SigningCertificate));
        var chain = (request.CertificateChain ?? []).Select(der => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(der))).ToList();
        return new SnpEvidence(report, leaf, chain);
    }

    private KeyReleaseOutcome Decide(string keyId, string? thumbprint, KeyReleaseOutcome outcome, VerificationResult? result = null)
    {
        var report = result?.Report;
        logger.LogInformation(
            "key release decision {Decision} for key {KeyId}: reason {Reason}; public key {Thumbprint}; host_data {HostData}; measurement {Measurement}; reported_tcb {ReportedTcb}; failures {Failures}",
            outcome.Status,
            keyId,
            outcome.Refusal?.Reason ?? "Released",
            thumbprint ?? "-",
            report is null ? "-" : Convert.ToHexStringLower(report.HostData.Span),
            report is null ? "-" : Convert.ToHexStringLower(report.Measurement.Span),
            report?.ReportedTcb.Hex ?? "-",
            outcome.Refusal?.Failures ?? []);
        return outcome;
    }
}
