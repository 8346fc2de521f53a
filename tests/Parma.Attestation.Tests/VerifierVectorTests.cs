using Parma.Attestation.Certificates;
using Parma.Attestation.Report;
using Parma.Attestation.Verification;

namespace Parma.Attestation.Tests;

public class VerifierVectorTests
{
    private static readonly SnpReportVerifier Verifier = SnpReportVerifier.CreateDefault(Vector.ValidClock);

    /// <summary>What each vector needs beyond the defaults: the go-sev-guest report has DEBUG set, the VLEK report is VMPL 1.</summary>
    private static VerificationPolicy PolicyFor(Vector vector) => new()
    {
        AllowDebug = vector.Id == "gosev-milan-v2",
        RequiredVmpl = vector.Expected.GetProperty("vmpl").GetUInt32(),
        AllowedMeasurements = [Convert.FromHexString(vector.Text("measurement"))],
        AllowedHostData = [Convert.FromHexString(vector.Text("host_data"))],
        ExpectedReportData = Convert.FromHexString(vector.Text("report_data")),
    };

    [Theory]
    [MemberData(nameof(Vector.Ids), MemberType = typeof(Vector))]
    public void Every_vector_verifies_with_its_expected_values(string id)
    {
        var vector = Vector.Get(id);
        var result = Verifier.Verify(vector.Evidence(), PolicyFor(vector));

        result.Failures.Should().BeEmpty();
        result.IsValid.Should().BeTrue();
        result.SignatureValid.Should().Be(vector.Expected.GetProperty("signature_valid").GetBoolean());
        result.ChainValid.Should().Be(vector.Expected.GetProperty("chain_valid").GetBoolean());
        result.TcbMatchesCertificate.Should().Be(vector.Expected.GetProperty("tcb_matches_cert").GetBoolean());
        result.Product.Should().Be(SnpProducts.Parse(vector.Product));
        result.Signer.ToString()!.ToUpperInvariant().Should().Be(vector.Signer);
    }

    [Theory]
    [MemberData(nameof(Vector.Ids), MemberType = typeof(Vector))]
    public void Built_in_intermediates_are_used_when_the_evidence_has_no_chain(string id)
    {
        var vector = Vector.Get(id);
        var result = Verifier.Verify(new SnpEvidence(vector.Report, vector.Leaf), PolicyFor(vector));
        result.Failures.Should().BeEmpty();
    }

    [Fact]
    public void Debug_policy_is_rejected_by_default()
    {
        var vector = Vector.Get("gosev-milan-v2");
        var result = Verifier.Verify(vector.Evidence());
        result.Failures.Select(f => f.Reason).Should().Equal(AttestationFailureReason.DebugNotAllowed);
    }

    [Fact]
    public void Vmpl_other_than_zero_is_rejected_by_default()
    {
        var vector = Vector.Get("trustee-milan-v3-vlek");
        var result = Verifier.Verify(vector.Evidence());
        result.Failures.Select(f => f.Reason).Should().Equal(AttestationFailureReason.VmplMismatch);
    }

    [Fact]
    public void Expired_vlek_is_rejected_at_todays_date()
    {
        var vector = Vector.Get("trustee-milan-v3-vlek");
        var verifier = SnpReportVerifier.CreateDefault(new FixedTime(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero)));
        var result = verifier.Verify(vector.Evidence(), PolicyFor(vector));
        result.Failures.Select(f => f.Reason).Should().Equal(AttestationFailureReason.CertificateExpired);
        result.Failures[0].Message.Should().Contain("SEV-VLEK");
    }

    [Theory]
    [MemberData(nameof(SignedOffsets))]
    public void A_flipped_bit_in_the_signed_bytes_or_in_r_or_s_breaks_the_signature(string id, int offset, int bit)
    {
        var vector = Vector.Get(id);
        var bytes = vector.Report;
        bytes[offset] ^= (byte)(1 << bit);

        var result = Verifier.Verify(vector.Evidence(bytes), PolicyFor(vector) with { AllowedMeasurements = null, AllowedHostData = null, ExpectedReportData = null, RequiredVmpl = null, AllowDebug = true, AllowMigrationAgent = true });

        result.SignatureValid.Should().BeFalse();
        result.IsValid.Should().BeFalse();
        var expected = offset < 4 && !SnpReport.SupportedVersions.Contains(BitConverter.ToUInt32(bytes, 0))
            ? AttestationFailureReason.UnsupportedReportVersion // a flipped VERSION makes the bytes unparseable
            : AttestationFailureReason.BadReportSignature;
        result.Has(expected).Should().BeTrue();
    }

    public static IEnumerable<object[]> SignedOffsets()
    {
        var random = new Random(20261121);
        foreach (var vector in Vector.All())
        {
            // Each row is distinct: xunit skips a theory row equal to an earlier one.
            var rows = new HashSet<(int Offset, int Bit)>();
            foreach (var offset in new[] { 0x000, 0x050, 0x090, 0x0C0, 0x180, 0x1A0, 0x29F, 0x2A0, 0x2D0, 0x2E8, 0x317 })
            {
                rows.Add((offset, random.Next(8)));
            }

            var fixedRows = rows.Count;
            while (rows.Count < fixedRows + 8)
            {
                rows.Add((random.Next(0, 0x2A0), random.Next(8)));
            }

            foreach (var (offset, bit) in rows)
            {
                yield return [vector.Id, offset, bit];
            }
        }
    }

    [Fact]
    public void A_vcek_from_another_report_is_rejected()
    {
        var gosev = Vector.Get("gosev-milan-v2");
        var virtee = Vector.Get("virtee-milan-v2");
        var result = Verifier.Verify(new SnpEvidence(gosev.Report, virtee.Leaf, virtee.Chain), PolicyFor(gosev));

        result.Has(AttestationFailureReason.BadReportSignature).Should().BeTrue();
        result.Has(AttestationFailureReason.TcbMismatchWithCertificate).Should().BeTrue();
        result.Has(AttestationFailureReason.ChipIdMismatch).Should().BeTrue();
    }

    [Fact]
    public void A_milan_vcek_against_the_genoa_chain_is_rejected()
    {
        var vector = Vector.Get("virtee-milan-v2");
        var genoa = CertificateFiles.LoadAll(Path.Combine(Vector.Folder, "roots", "genoa_ask_ark.pem"));

        var asMilan = Verifier.Verify(new SnpEvidence(vector.Report, vector.Leaf, genoa), PolicyFor(vector));
        asMilan.Has(AttestationFailureReason.UntrustedRoot).Should().BeTrue();
        asMilan.Has(AttestationFailureReason.LeafCertificateSignatureInvalid).Should().BeTrue();
        asMilan.ChainValid.Should().BeFalse();

        var asGenoa = Verifier.Verify(new SnpEvidence(vector.Report, vector.Leaf, genoa), PolicyFor(vector) with { Product = SnpProduct.Genoa });
        asGenoa.Has(AttestationFailureReason.ProductMismatch).Should().BeTrue();
        asGenoa.Has(AttestationFailureReason.LeafCertificateSignatureInvalid).Should().BeTrue();
    }

    [Fact]
    public void An_ark_that_arrives_with_the_evidence_is_not_trusted_when_no_root_is_pinned()
    {
        var vector = Vector.Get("virtee-milan-v2");
        var result = new SnpReportVerifier(new TrustedRoots(), Vector.ValidClock).Verify(vector.Evidence(), PolicyFor(vector));
        result.Has(AttestationFailureReason.UntrustedRoot).Should().BeTrue();
        result.IsValid.Should().BeFalse();
    }

    [Fact]
    public void Missing_certificate_wrong_host_data_measurement_report_data_and_tcb_each_have_their_reason()
    {
        var vector = Vector.Get("virtee-milan-v2");
        var noLeaf = Verifier.Verify(new SnpEvidence(vector.Report), PolicyFor(vector));
        noLeaf.Has(AttestationFailureReason.MissingSigningCertificate).Should().BeTrue();

        var policy = PolicyFor(vector) with
        {
            AllowedHostData = [new byte[32].Select(_ => (byte)1).ToArray()],
            AllowedMeasurements = [new byte[48]],
            ExpectedReportData = new byte[64],
            MinimumTcb = new TcbComponents(3, 0, 9, 0x73),
        };
        var result = Verifier.Verify(vector.Evidence(), policy);
        result.Failures.Select(f => f.Reason).Should().BeEquivalentTo(new[]
        {
            AttestationFailureReason.HostDataMismatch,
            AttestationFailureReason.MeasurementMismatch,
            AttestationFailureReason.ReportDataMismatch,
            AttestationFailureReason.TcbBelowMinimum,
        });
    }

    [Fact]
    public void A_truncated_report_is_malformed()
    {
        var vector = Vector.Get("virtee-milan-v2");
        var result = Verifier.Verify(vector.Evidence(vector.Report[..1000]));
        result.Failures.Single().Reason.Should().Be(AttestationFailureReason.MalformedReport);
    }

    [Fact]
    public void Built_in_roots_are_pinned_to_the_published_fingerprints()
    {
        var roots = TrustedRoots.AmdBuiltIn();
        CertificateFiles.Sha256Fingerprint(roots.ArksFor(SnpProduct.Milan).Single()).Should().Be(AmdRootPins.ArkMilan);
        CertificateFiles.Sha256Fingerprint(roots.ArksFor(SnpProduct.Genoa).Single()).Should().Be(AmdRootPins.ArkGenoa);
        CertificateFiles.Sha256Fingerprint(roots.ArksFor(SnpProduct.Turin).Single()).Should().Be(AmdRootPins.ArkTurin);
        roots.IntermediatesFor(SnpProduct.Turin).Should().HaveCount(2);
    }

    [Fact]
    public void Turin_vcek_extensions_decode_with_fmc_and_an_8_byte_hwid()
    {
        var vcek = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(
            Path.Combine(Vector.Folder, "roots", "turin_sample_vcek.der"));
        var facts = AmdKeyCertificate.Read(vcek, SnpProduct.Turin);
        facts.ProductName.Should().Be("Turin");
        facts.HardwareId.Should().HaveCount(8);
        facts.Tcb!.Fmc.Should().NotBeNull();
        var turinAsk = TrustedRoots.AmdBuiltIn().IntermediatesFor(SnpProduct.Turin).First(c => c.Subject.Contains("SEV-Turin"));
        CertificateSignature.Verify(vcek, turinAsk).Should().BeNull();
    }
}
