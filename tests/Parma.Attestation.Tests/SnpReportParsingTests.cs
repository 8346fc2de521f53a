using System.Security.Cryptography;
using Parma.Attestation.Report;

namespace Parma.Attestation.Tests;

public class SnpReportParsingTests
{
    [Theory]
    [MemberData(nameof(Vector.Ids), MemberType = typeof(Vector))]
    public void Every_field_matches_expected_json(string id)
    {
        var vector = Vector.Get(id);
        var bytes = vector.Report;
        var report = SnpReport.Parse(bytes);
        var e = vector.Expected;

        Convert.ToHexStringLower(SHA256.HashData(bytes)).Should().Be(vector.Text("report_sha256"));
        report.Version.Should().Be(e.GetProperty("version").GetUInt32());
        report.GuestSvn.Should().Be(e.GetProperty("guest_svn").GetUInt32());
        report.Policy.ToString().Should().Be(vector.Text("policy"));
        report.Vmpl.Should().Be(e.GetProperty("vmpl").GetUInt32());
        report.SignatureAlgorithm.Should().Be(e.GetProperty("signature_algo").GetUInt32());
        report.PlatformInfo.ToString().Should().Be(vector.Text("platform_info"));
        report.SignerInfo.ToString().Should().Be(vector.Text("signer_info"));
        report.CurrentTcb.Hex.Should().Be(vector.Text("current_tcb"));
        report.ReportedTcb.Hex.Should().Be(vector.Text("reported_tcb"));
        report.CommittedTcb.Hex.Should().Be(vector.Text("committed_tcb"));
        report.LaunchTcb.Hex.Should().Be(vector.Text("launch_tcb"));
        Hex(report.ReportData).Should().Be(vector.Text("report_data"));
        Hex(report.Measurement).Should().Be(vector.Text("measurement"));
        Hex(report.HostData).Should().Be(vector.Text("host_data"));
        Hex(report.IdKeyDigest).Should().Be(vector.Text("id_key_digest"));
        Hex(report.AuthorKeyDigest).Should().Be(vector.Text("author_key_digest"));
        Hex(report.ReportId).Should().Be(vector.Text("report_id"));
        Hex(report.ChipId).Should().Be(vector.Text("chip_id"));
        var fms = e.GetProperty("cpuid_fms");
        if (fms.ValueKind == System.Text.Json.JsonValueKind.Null)
        {
            report.CpuidFamily.Should().BeNull();
        }
        else
        {
            $"{report.CpuidFamily:x2}{report.CpuidModel:x2}{report.CpuidStepping:x2}".Should().Be(fms.GetString());
            report.ProductFromCpuid.Should().Be(SnpProducts.Parse(vector.Product));
        }

        report.SignerInfo.SigningKey.ToString().ToUpperInvariant().Should().Be(vector.Signer);
    }

    [Fact]
    public void Policy_bits_are_decoded()
    {
        var debug = new GuestPolicy(0xb0000);
        debug.DebugAllowed.Should().BeTrue();
        debug.SmtAllowed.Should().BeTrue();
        debug.ReservedBit17.Should().BeTrue();
        debug.MigrationAgentAllowed.Should().BeFalse();

        var production = new GuestPolicy(0x130000 | 0x0100 | 0x02);
        production.DebugAllowed.Should().BeFalse();
        production.SingleSocketOnly.Should().BeTrue();
        production.AbiMajor.Should().Be(1);
        production.AbiMinor.Should().Be(2);
    }

    [Fact]
    public void Tcb_is_decoded_per_product()
    {
        var tcb = new TcbVersion(0x4400000000000002 | 0x0005000000000000);
        tcb.Hex.Should().Be("0200000000000544");
        tcb.Decode(SnpProduct.Milan).Should().Be(new TcbComponents(2, 0, 5, 0x44));

        var turin = TcbVersion.Encode(new TcbComponents(Bootloader: 3, Tee: 4, Snp: 5, Microcode: 6, Fmc: 1), SnpProduct.Turin);
        turin.Hex.Should().Be("0103040500000006");
        turin.Decode(SnpProduct.Turin).Should().Be(new TcbComponents(3, 4, 5, 6, 1));
    }

    [Fact]
    public void Version_5_has_mitigation_vectors_and_version_2_has_none()
    {
        var bytes = Vector.Get("virtee-milan-v2").Report;
        SnpReport.Parse(bytes).LaunchMitigationVector.Should().BeNull();
        bytes[0] = 5;
        bytes[SnpReportLayout.LaunchMitigationVector] = 0x21;
        bytes[SnpReportLayout.CurrentMitigationVector] = 0x03;
        var v5 = SnpReport.Parse(bytes);
        v5.LaunchMitigationVector.Should().Be(0x21UL);
        v5.CurrentMitigationVector.Should().Be(0x03UL);
        v5.CpuidFamily.Should().NotBeNull();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1183)]
    [InlineData(1185)]
    public void Wrong_length_is_a_clear_error(int length)
    {
        var act = () => SnpReport.Parse(new byte[length]);
        act.Should().Throw<SnpReportFormatException>().WithMessage($"*1184 bytes*{length}*");
    }

    [Fact]
    public void Unsupported_version_is_a_clear_error()
    {
        var bytes = new byte[SnpReportLayout.Size];
        bytes[0] = 1;
        var act = () => SnpReport.Parse(bytes);
        act.Should().Throw<SnpReportFormatException>().WithMessage("*version 1*");
    }

    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(bytes.Span);
}
