using System.Runtime.CompilerServices;
using Parma.Attestation.Certificates;
using Parma.Attestation.Guest;
using Parma.Attestation.Report;
using Parma.Attestation.Verification;

namespace Parma.Attestation.Tests;

public sealed class GuestProviderTests : IClassFixture<DevelopmentAuthorityFixture>, IDisposable
{
    private readonly DevelopmentAuthority _authority;
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"parma-tsm-{Guid.NewGuid():N}");

    public GuestProviderTests(DevelopmentAuthorityFixture fixture)
    {
        _authority = fixture.Authority;
        Directory.CreateDirectory(_root);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static byte[] Nonce(byte seed) => Enumerable.Range(0, 64).Select(i => (byte)(i ^ seed)).ToArray();

    [Fact]
    public async Task Development_reports_verify_only_when_the_development_root_is_trusted()
    {
        var provider = new DevelopmentReportProvider(_authority, new DevelopmentReportSettings { HostData = Enumerable.Repeat((byte)7, 32).ToArray() });
        var evidence = (await provider.GetReportAsync(Nonce(1))).ToSnpEvidence();
        var policy = new VerificationPolicy { ExpectedReportData = Nonce(1), AllowedHostData = [Enumerable.Repeat((byte)7, 32).ToArray()] };

        var byDefault = SnpReportVerifier.CreateDefault().Verify(evidence, policy);
        byDefault.IsValid.Should().BeFalse();
        byDefault.Has(AttestationFailureReason.UntrustedRoot).Should().BeTrue();
        byDefault.SignatureValid.Should().BeTrue("the signature itself is fine; only the root is not trusted");

        var trusting = new SnpReportVerifier(_authority.TrustAsDevelopmentRoot(TrustedRoots.AmdBuiltIn()));
        var result = trusting.Verify(evidence, policy);
        result.Failures.Should().BeEmpty();
        result.Product.Should().Be(SnpProduct.Milan);

        var report = SnpReport.Parse(evidence.Report.Span);
        report.Version.Should().Be(3u);
        report.Policy.DebugAllowed.Should().BeFalse();
        trusting.Verify(evidence, policy with { ExpectedReportData = Nonce(2) }).Failures.Select(f => f.Reason)
            .Should().Equal(AttestationFailureReason.ReportDataMismatch);
    }

    [Fact]
    public async Task Configfs_provider_writes_inblob_and_reads_outblob_and_auxblob_from_a_fake_tree()
    {
        using var kernel = new FakeTsmKernel(_root, _authority);
        var provider = new ConfigFsTsmReportProvider(new ConfigFsTsmOptions { Root = _root });

        var evidence = await provider.GetReportAsync(Nonce(3));

        kernel.InblobsSeen.Should().ContainSingle().Which.Should().Equal(Nonce(3));
        evidence.Certificates.Get(CertificateTable.Vcek).Should().Equal(_authority.Vcek.RawData);
        var verifier = new SnpReportVerifier(_authority.TrustAsDevelopmentRoot(new TrustedRoots()));
        verifier.Verify(evidence.ToSnpEvidence(), new VerificationPolicy { ExpectedReportData = Nonce(3) }).Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Configfs_provider_refuses_when_another_writer_raced()
    {
        using var kernel = new FakeTsmKernel(_root, _authority) { Generation = 2 };
        var provider = new ConfigFsTsmReportProvider(new ConfigFsTsmOptions { Root = _root, Attempts = 2 });
        var act = () => provider.GetReportAsync(Nonce(4));
        (await act.Should().ThrowAsync<AttestationUnavailableException>()).WithMessage("*generation is 2*wrote 1*2 attempts*");
    }

    [Fact]
    public async Task Configfs_provider_names_the_missing_root_and_a_foreign_provider()
    {
        var missing = new ConfigFsTsmReportProvider(new ConfigFsTsmOptions { Root = Path.Combine(_root, "absent") });
        (await missing.Invoking(p => p.GetReportAsync(Nonce(5))).Should().ThrowAsync<AttestationUnavailableException>())
            .WithMessage("*absent does not exist*");

        using var kernel = new FakeTsmKernel(_root, _authority) { ProviderName = "tdx_guest" };
        var tdx = new ConfigFsTsmReportProvider(new ConfigFsTsmOptions { Root = _root });
        (await tdx.Invoking(p => p.GetReportAsync(Nonce(5))).Should().ThrowAsync<AttestationUnavailableException>())
            .WithMessage("*tdx_guest*not sev_guest*");
    }

    [Fact]
    public void Sev_guest_structures_match_the_kernel_uapi_sizes_and_request_numbers()
    {
        Unsafe.SizeOf<SevGuestNative.ReportRequest>().Should().Be(96);
        Unsafe.SizeOf<SevGuestNative.ExtendedReportRequest>().Should().Be(112);
        Unsafe.SizeOf<SevGuestNative.ReportResponse>().Should().Be(4000);
        Unsafe.SizeOf<SevGuestNative.GuestRequest>().Should().Be(32);
        SevGuestNative.GetReport.Should().Be((nuint)0xC0205300);
        SevGuestNative.GetExtendedReport.Should().Be((nuint)0xC0205302);
    }

    [Fact]
    public void Sev_guest_response_parsing_checks_status_and_size()
    {
        var report = Vector.Get("virtee-milan-v2").Report;
        var response = new byte[4000];
        BitConverter.GetBytes(1184u).CopyTo(response, 4);
        report.CopyTo(response, 0x20);
        SevGuestDeviceProvider.ParseResponse(response).Should().Equal(report);

        BitConverter.GetBytes(0x16u).CopyTo(response, 0);
        var act = () => SevGuestDeviceProvider.ParseResponse(response);
        act.Should().Throw<AttestationUnavailableException>().WithMessage("*status 0x16*");
    }

    [SevGuestFact]
    public async Task Sev_guest_device_returns_a_report_with_our_report_data()
    {
        var evidence = await new SevGuestDeviceProvider().GetReportAsync(Nonce(6));
        SnpReport.Parse(evidence.Report).ReportData.ToArray().Should().Equal(Nonce(6));
    }

    [Fact]
    public void Certificate_table_round_trips_and_rejects_out_of_range_entries()
    {
        var table = _authority.CertificateTable();
        var bytes = table.ToBytes();
        CertificateTable.Parse(bytes).Get(CertificateTable.Ark).Should().Equal(_authority.Ark.RawData);

        bytes[16] = 0xFF;
        bytes[17] = 0xFF;
        var act = () => CertificateTable.Parse(bytes);
        act.Should().Throw<FormatException>().WithMessage("*outside the table*");
        var oneEntry = new byte[24];
        oneEntry[0] = 1;
        var unterminated = () => CertificateTable.Parse(oneEntry);
        unterminated.Should().Throw<FormatException>().WithMessage("*terminating*");
    }
}

/// <summary>Runs only inside an SEV-SNP guest.</summary>
public sealed class SevGuestFactAttribute : FactAttribute
{
    public SevGuestFactAttribute()
    {
        if (!File.Exists("/dev/sev-guest"))
        {
            Skip = "/dev/sev-guest is absent: this machine is not an SEV-SNP guest";
        }
    }
}

public sealed class DevelopmentAuthorityFixture : IDisposable
{
    public DevelopmentAuthority Authority { get; } = DevelopmentAuthority.Create();

    public void Dispose() => Authority.Dispose();
}
