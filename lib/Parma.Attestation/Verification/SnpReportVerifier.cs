using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Parma.Attestation.Certificates;
using Parma.Attestation.Report;
using static Parma.Attestation.Verification.AttestationFailureReason;

namespace Parma.Attestation.Verification;

/// <summary>
/// Verifies SEV-SNP evidence: report signature, VCEK/VLEK → ASK/ASVK → pinned ARK, certificate validity at the
/// injected time, certificate TCB and hwID against the report, then the relying party's <see cref="VerificationPolicy"/>.
/// All independent checks run, so a result lists every reason a report fails.
/// </summary>
public sealed class SnpReportVerifier(TrustedRoots roots, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>A verifier trusting only AMD's built-in ARKs.</summary>
    public static SnpReportVerifier CreateDefault(TimeProvider? time = null) => new(TrustedRoots.AmdBuiltIn(), time);

    public VerificationResult Verify(SnpEvidence evidence, VerificationPolicy? policy = null)
    {
        policy ??= VerificationPolicy.Default;
        var failures = new List<AttestationFailure>();
        void Fail(AttestationFailureReason reason, string message) => failures.Add(new AttestationFailure(reason, message));

        SnpReport report;
        try
        {
            report = SnpReport.Parse(evidence.Report.Span);
        }
        catch (SnpReportFormatException e)
        {
            var reason = evidence.Report.Length == SnpReportLayout.Size ? UnsupportedReportVersion : MalformedReport;
            return new VerificationResult(null, SnpProduct.Unknown, null, false, false, false, [new AttestationFailure(reason, e.Message)]);
        }

        if (report.SignatureAlgorithm != 1)
        {
            Fail(UnsupportedSignatureAlgorithm, $"SIGNATURE_ALGO {report.SignatureAlgorithm} is not 1 (ECDSA P-384 with SHA-384)");
        }

        var signer = report.SignerInfo.SigningKey;
        if (signer is not (SigningKey.Vcek or SigningKey.Vlek))
        {
            Fail(UnsupportedSigningKey, $"SIGNING_KEY {(int)signer} is neither VCEK (0) nor VLEK (1)");
        }

        var leaf = evidence.SigningCertificate;
        var signatureValid = false;
        if (leaf is null)
        {
            Fail(MissingSigningCertificate, $"no {signer} certificate was supplied with the report");
        }
        else
        {
            signatureValid = CheckReportSignature(report, leaf, Fail);
            CheckSignerType(signer, leaf, Fail);
        }

        var product = DetermineProduct(report, leaf, policy.Product, Fail);
        var chainValid = false;
        var tcbMatches = false;
        if (leaf is not null && product != SnpProduct.Unknown)
        {
            chainValid = CheckChain(leaf, evidence.Chain ?? [], product, signer, Fail);
            tcbMatches = CheckCertificateBindings(report, leaf, product, signer, Fail);
        }

        CheckPolicy(report, product, policy, Fail);
        return new VerificationResult(report, product, signer, signatureValid, chainValid, tcbMatches, failures);
    }

    private static bool CheckReportSignature(SnpReport report, X509Certificate2 leaf, Action<AttestationFailureReason, string> fail)
    {
        using var key = leaf.GetECDsaPublicKey();
        if (key is null || key.KeySize != 384)
        {
            fail(InvalidSigningCertificate, $"certificate '{leaf.Subject}' does not hold an ECDSA P-384 public key");
            return false;
        }

        if (!ReportSignature.Verify(report, key))
        {
            fail(BadReportSignature, $"the report signature does not verify with the key of '{leaf.Subject}'");
            return false;
        }

        return true;
    }

    private static void CheckSignerType(SigningKey signer, X509Certificate2 leaf, Action<AttestationFailureReason, string> fail)
    {
        var commonName = leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var isVlekCert = commonName.Contains("VLEK", StringComparison.OrdinalIgnoreCase);
        var isVcekCert = commonName.Contains("VCEK", StringComparison.OrdinalIgnoreCase);
        if ((signer == SigningKey.Vcek && isVlekCert) || (signer == SigningKey.Vlek && isVcekCert))
        {
            fail(SignerTypeMismatch, $"the report says it was signed by the {signer.ToString().ToUpperInvariant()} but the certificate is '{commonName}'");
        }
    }

    private static SnpProduct DetermineProduct(
        SnpReport report, X509Certificate2? leaf, SnpProduct? asserted, Action<AttestationFailureReason, string> fail)
    {
        var fromCpuid = report.ProductFromCpuid;
        var fromCertificate = SnpProduct.Unknown;
        if (leaf is not null)
        {
            try
            {
                fromCertificate = SnpProducts.Parse(AmdKeyCertificate.Read(leaf, SnpProduct.Unknown).ProductName);
            }
            catch (FormatException)
            {
                // Reported by the TCB binding check.
            }

            if (fromCertificate == SnpProduct.Unknown)
            {
                // SEV-Milan, SEV-VLEK-Genoa, …: the issuer names the product.
                var issuer = leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: true);
                fromCertificate = SnpProducts.Parse(issuer.Split('-').LastOrDefault());
            }
        }

        var candidates = new[] { (asserted ?? SnpProduct.Unknown, "the caller"), (fromCpuid, "the report's CPUID"), (fromCertificate, "the certificate") }
            .Where(candidate => candidate.Item1 != SnpProduct.Unknown)
            .ToList();
        if (candidates.Count == 0)
        {
            fail(UnknownProduct, "the product (Milan, Genoa, Turin) could not be determined from the report or certificate; name it explicitly");
            return SnpProduct.Unknown;
        }

        var chosen = candidates[0];
        foreach (var other in candidates.Skip(1).Where(other => other.Item1 != chosen.Item1))
        {
            fail(ProductMismatch, $"{chosen.Item2} says {chosen.Item1} but {other.Item2} says {other.Item1}");
        }

        return chosen.Item1;
    }

    private bool CheckChain(
        X509Certificate2 leaf, IReadOnlyList<X509Certificate2> chain, SnpProduct product, SigningKey signer,
        Action<AttestationFailureReason, string> fail)
    {
        var supplied = chain.Where(certificate => !certificate.RawData.AsSpan().SequenceEqual(leaf.RawData)).ToList();
        var suppliedRoots = supplied.Where(CertificateFiles.IsSelfIssued).ToList();
        var intermediates = supplied.Except(suppliedRoots).ToList();
        if (intermediates.Count == 0)
        {
            intermediates = roots.IntermediatesFor(product).ToList();
        }

        var intermediate = intermediates.FirstOrDefault(candidate => candidate.SubjectName.RawData.AsSpan().SequenceEqual(leaf.IssuerName.RawData))
            ?? (chain.Count > 0 ? intermediates.FirstOrDefault() : null);
        var arks = roots.ArksFor(product);
        var ok = true;
        foreach (var root in suppliedRoots.Where(root => !arks.Any(ark => ark.RawData.AsSpan().SequenceEqual(root.RawData))))
        {
            fail(UntrustedRoot, $"the evidence's root '{root.Subject}' (SHA-256 {CertificateFiles.Sha256Fingerprint(root)}) is not a pinned ARK for {product}");
            ok = false;
        }

        if (intermediate is null)
        {
            var role = signer == SigningKey.Vlek ? "ASVK" : "ASK";
            fail(MissingIntermediateCertificate, $"no {role} certificate for '{leaf.Issuer}' was supplied or is built in for {product}");
            return false;
        }

        var ark = arks.FirstOrDefault(candidate => candidate.SubjectName.RawData.AsSpan().SequenceEqual(intermediate.IssuerName.RawData))
            ?? arks.FirstOrDefault();
        if (ark is null)
        {
            fail(UntrustedRoot, $"no ARK is pinned for {product}");
            ok = false;
        }
        else if (CertificateSignature.Verify(intermediate, ark) is { } intermediateError)
        {
            fail(IntermediateCertificateSignatureInvalid, $"'{intermediate.Subject}' is not signed by the pinned ARK '{ark.Subject}': {intermediateError}");
            ok = false;
        }

        if (CertificateSignature.Verify(leaf, intermediate) is { } leafError)
        {
            fail(LeafCertificateSignatureInvalid, $"'{leaf.Subject}' is not signed by '{intermediate.Subject}': {leafError}");
            ok = false;
        }

        var now = _time.GetUtcNow();
        foreach (var certificate in new[] { leaf, intermediate, ark }.OfType<X509Certificate2>())
        {
            if (now < new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero))
            {
                fail(CertificateNotYetValid, $"'{certificate.Subject}' is valid from {certificate.NotBefore.ToUniversalTime():O}, after {now:O}");
                ok = false;
            }
            else if (now > new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero))
            {
                fail(CertificateExpired, $"'{certificate.Subject}' expired at {certificate.NotAfter.ToUniversalTime():O}, before {now:O}");
                ok = false;
            }
        }

        return ok;
    }

    private static bool CheckCertificateBindings(
        SnpReport report, X509Certificate2 leaf, SnpProduct product, SigningKey signer, Action<AttestationFailureReason, string> fail)
    {
        AmdKeyCertificate facts;
        try
        {
            facts = AmdKeyCertificate.Read(leaf, product);
        }
        catch (FormatException e)
        {
            fail(InvalidSigningCertificate, $"'{leaf.Subject}': {e.Message}");
            return false;
        }

        var ok = true;
        var reported = report.ReportedTcb.Decode(product);
        if (facts.Tcb is null)
        {
            fail(TcbMismatchWithCertificate, $"'{leaf.Subject}' lacks the bootloader/TEE/SNP/microcode SPL extensions");
            ok = false;
        }
        else if (facts.Tcb != reported)
        {
            fail(TcbMismatchWithCertificate, $"the certificate is for TCB {facts.Tcb} but REPORTED_TCB is {reported}");
            ok = false;
        }

        if (signer == SigningKey.Vcek)
        {
            var chipId = report.ChipId.Span;
            if (facts.HardwareId is null)
            {
                fail(ChipIdMismatch, $"the VCEK '{leaf.Subject}' has no hwID extension");
                ok = false;
            }
            else if (!HardwareIdMatches(facts.HardwareId, chipId))
            {
                fail(ChipIdMismatch, $"the VCEK hwID {Convert.ToHexStringLower(facts.HardwareId)} does not match CHIP_ID {Convert.ToHexStringLower(chipId)}");
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>Milan/Genoa hwIDs are the 64-byte CHIP_ID; Turin's 8-byte hwID is the CHIP_ID's first 8 bytes.</summary>
    private static bool HardwareIdMatches(byte[] hardwareId, ReadOnlySpan<byte> chipId) =>
        hardwareId.Length switch
        {
            64 => chipId.SequenceEqual(hardwareId),
            8 => chipId[..8].SequenceEqual(hardwareId),
            _ => false,
        };

    private static void CheckPolicy(SnpReport report, SnpProduct product, VerificationPolicy policy, Action<AttestationFailureReason, string> fail)
    {
        if (policy.RequiredVmpl is { } vmpl && report.Vmpl != vmpl)
        {
            fail(VmplMismatch, $"VMPL is {report.Vmpl}, expected {vmpl}");
        }

        if (!policy.AllowDebug && report.Policy.DebugAllowed)
        {
            fail(DebugNotAllowed, $"guest policy {report.Policy} allows debugging (bit {GuestPolicy.DebugBit}), so the host can read guest memory");
        }

        if (!policy.AllowMigrationAgent && report.Policy.MigrationAgentAllowed)
        {
            fail(MigrationAgentNotAllowed, $"guest policy {report.Policy} allows a migration agent (bit {GuestPolicy.MigrationAgentBit}), which could export guest memory; expected the bit clear");
        }

        if (policy.MinimumTcb is { } minimum)
        {
            var reported = report.ReportedTcb.Decode(product);
            if (!reported.IsAtLeast(minimum))
            {
                fail(TcbBelowMinimum, $"REPORTED_TCB {reported} is below the minimum {minimum}");
            }
        }

        if (policy.AllowedMeasurements is { } measurements && !ContainsValue(measurements, report.Measurement.Span))
        {
            fail(MeasurementMismatch, $"MEASUREMENT {Convert.ToHexStringLower(report.Measurement.Span)} is not {Expected(measurements, "approved measurement")}");
        }

        if (policy.AllowedHostData is { } hostData && !ContainsValue(hostData, report.HostData.Span))
        {
            fail(HostDataMismatch, $"HOST_DATA {Convert.ToHexStringLower(report.HostData.Span)} is not {Expected(hostData, "approved policy", "approved policies")}");
        }

        if (policy.ExpectedReportData is { } reportData && !CryptographicOperations.FixedTimeEquals(reportData, report.ReportData.Span))
        {
            fail(ReportDataMismatch, $"REPORT_DATA {Convert.ToHexStringLower(report.ReportData.Span)} is not the expected {Convert.ToHexStringLower(reportData)}");
        }
    }

    /// <summary>"one of the 2 approved policies: a, b" (at most <see cref="ListedValues"/> values are spelled out).</summary>
    private static string Expected(IReadOnlyCollection<byte[]> values, string noun, string? plural = null)
    {
        plural ??= noun + "s";
        if (values.Count == 0)
        {
            return $"accepted (no {plural} are configured)";
        }

        var listed = string.Join(", ", values.Take(ListedValues).Select(Convert.ToHexStringLower));
        var more = values.Count > ListedValues ? $" and {values.Count - ListedValues} more" : string.Empty;
        return values.Count == 1 ? $"the {noun}: {listed}" : $"one of the {values.Count} {plural}: {listed}{more}";
    }

    private const int ListedValues = 16;

    private static bool ContainsValue(IEnumerable<byte[]> values, ReadOnlySpan<byte> actual)
    {
        foreach (var value in values)
        {
            if (actual.SequenceEqual(value))
            {
                return true;
            }
        }

        return false;
    }
}
