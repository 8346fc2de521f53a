using System.Security.Cryptography;
using System.Text;
using Parma.Claims;

namespace Parma.Attestation.Tests;

public class ClaimsTests
{
    private const string InitData = "version = \"0.1.0\"\nalgorithm = \"sha384\"\n\n[data]\n\"policy.rego\" = '''\npackage agent_policy\n'''\n";

    [Fact]
    public void Policy_text_host_data_is_sha256_of_the_exact_bytes()
    {
        var policy = Encoding.UTF8.GetBytes("package agent_policy\n\ndefault CreateContainerRequest := false\n");
        HostDataCalculator.ForDocument(policy).Should().Equal(SHA256.HashData(policy));
        HostDataCalculator.InitDataAlgorithm(policy).Should().BeNull();
    }

    [Fact]
    public void Initdata_host_data_uses_the_named_digest_truncated_to_32_bytes()
    {
        var toml = Encoding.UTF8.GetBytes(InitData);
        HostDataCalculator.InitDataAlgorithm(toml).Should().Be("sha384");
        HostDataCalculator.ForDocument(toml).Should().Equal(SHA384.HashData(toml)[..32]);

        var sha256 = Encoding.UTF8.GetBytes(InitData.Replace("sha384", "sha256"));
        HostDataCalculator.ForDocument(sha256).Should().Equal(SHA256.HashData(sha256));

        var act = () => HostDataCalculator.ForDocument(Encoding.UTF8.GetBytes(InitData.Replace("sha384", "md5")));
        act.Should().Throw<FormatException>().WithMessage("*md5*");
    }

    [Fact]
    public void Report_data_binding_is_sha256_zero_padded_to_64_bytes()
    {
        var claim = Encoding.UTF8.GetBytes("{\"e\":\"AQAB\"}");
        var bound = ReportDataBinding.ForClaim(claim);
        bound.Should().HaveCount(64);
        bound[..32].Should().Equal(SHA256.HashData(claim));
        bound[32..].Should().OnlyContain(b => b == 0);

        ReportDataBinding.FromHex("0102").Should().Equal(new byte[] { 1, 2 }.Concat(new byte[62]));
        var tooLong = () => ReportDataBinding.FromHex(new string('a', 130));
        tooLong.Should().Throw<FormatException>().WithMessage("*65 bytes*");
    }
}
