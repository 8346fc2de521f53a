using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Parma.Attestation.Certificates;
using Parma.Attestation.Verification;

namespace Parma.Attestation.KeyRelease;

/// <summary>
/// The relying party of the paper's figure 4: verifies the guest's report against a secret's release policy, checks that
/// REPORT_DATA binds the offered public key (SHA-256 of its canonical JWK, zero-padded), refuses a public key seen before,
/// and wraps the secret to that key with RSA-OAEP-256. Every decision is logged; secrets never are.
/// </summary>
public sealed class KeyReleaseService(
    IReadOnlyDictionary<string, ReleasableSecret> secrets,
    SnpReportVerifier verifier,
    IReplayGuard replayGuard,
    ILogger<KeyReleaseService> logger,
    IHostDataSource? hostDataSource = null)
{
    public async Task<KeyReleaseOutcome> ReleaseAsync(string keyId, KeyReleaseRequest request, CancellationToken cancellationToken = default)
    {
        if (!secrets.TryGetValue(keyId, out var secret))
        {
            return Decide(keyId, null, KeyReleaseOutcome.Refuse(KeyReleaseStatus.UnknownKey, "UnknownKey", $"no secret named '{keyId}'"));
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
            return Decide(keyId, null, KeyReleaseOutcome.Refuse(KeyReleaseStatus.BadRequest, "BadRequest", e.Message));
        }

        using (publicKey)
        {
            var policy = await BuildPolicyAsync(secret.Policy, request.PublicKey, cancellationToken);
            var result = verifier.Verify(evidence, policy);
            if (!result.IsValid)
            {
                return Decide(keyId, thumbprint, KeyReleaseOutcome.Refuse(
                    KeyReleaseStatus.AttestationFailed,
                    result.Failures[0].Reason.ToString(),
                    "the attestation report does not satisfy the release policy",
                    [.. result.Failures.Select(failure => failure.ToString())]), result);
            }

            if (!replayGuard.TryConsume(thumbprint))
            {
                return Decide(keyId, thumbprint, KeyReleaseOutcome.Refuse(
                    KeyReleaseStatus.ReplayedPublicKey, "ReplayedPublicKey", "this public key has already been used to obtain a secret"), result);
            }

            var wrapped = publicKey.Encrypt(secret.Secret, RSAEncryptionPadding.OaepSHA256);
            var response = new KeyReleaseResponse(keyId, KeyReleaseResponse.RsaOaep256, Convert.ToBase64String(wrapped), thumbprint);
            return Decide(keyId, thumbprint, new KeyReleaseOutcome(KeyReleaseStatus.Released, response, null), result);
        }
    }

    private async Task<VerificationPolicy> BuildPolicyAsync(KeyReleasePolicy policy, RsaJwk publicKey, CancellationToken cancellationToken)
    {
        var hostData = new List<string>(policy.AllowedHostData);
        if (policy.Group is { } group)
        {
            if (hostDataSource is null)
            {
                throw new InvalidOperationException($"the release policy names group {group} but no host-data source is configured");
            }

            hostData.AddRange(await hostDataSource.GetAllowedHostDataAsync(group, cancellationToken));
        }

        return new VerificationPolicy
        {
            RequiredVmpl = policy.RequiredVmpl,
            AllowDebug = false,
            MinimumTcb = policy.MinimumTcb,
            AllowedMeasurements = [.. policy.AllowedMeasurements.Select(Convert.FromHexString)],
            AllowedHostData = [.. hostData.Select(Convert.FromHexString)],
            ExpectedReportData = publicKey.ReportData(),
        };
    }

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
