using System.Text.Json;
using Parma.Attestation.Guest;
using Parma.Attestation.Report;
using Parma.Attestation.Verification;

namespace Parma.KeyRelease.Tests;

public sealed class KeyReleaseConfigurationTests : IClassFixture<DevelopmentAuthorityFixture>, IDisposable
{
    private readonly DevelopmentAuthority _authority;
    private readonly string _dir = Directory.CreateTempSubdirectory("parma-kr-").FullName;

    public KeyReleaseConfigurationTests(DevelopmentAuthorityFixture fixture)
    {
        _authority = fixture.Authority;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(object configuration)
    {
        var path = Path.Combine(_dir, "key-release.json");
        File.WriteAllText(path, JsonSerializer.Serialize(configuration));
        return path;
    }

    [Fact]
    public async Task A_configuration_file_names_secrets_policies_and_a_pinned_development_root()
    {
        File.WriteAllBytes(Path.Combine(_dir, "db.secret"), [1, 2, 3]);
        File.WriteAllText(Path.Combine(_dir, "dev-ark.pem"), _authority.Ark.ExportCertificatePem());
        var hostData = new string('a', 64);
        var path = Write(new
        {
            keys = new[] { new { id = "db", secretFile = "db.secret", policy = new { allowedHostData = new[] { hostData }, minimumTcb = new { Bootloader = 1, Tee = 0, Snp = 1, Microcode = 1 } } } },
            additionalRoots = new[] { new { product = "Milan", arkFile = "dev-ark.pem", sha256 = _authority.ArkFingerprint } },
        });

        var configuration = KeyReleaseConfiguration.Load(path);
        var secrets = configuration.ReadSecrets(_dir);
        secrets["db"].Secret.Should().Equal(1, 2, 3);
        secrets["db"].Policy.AllowedHostData.Should().Equal(hostData);
        secrets["db"].Policy.MinimumTcb.Should().Be(new TcbComponents(1, 0, 1, 1));

        var roots = configuration.BuildRoots(_dir).AddIntermediate(SnpProduct.Milan, _authority.Ask);
        var evidence = await new DevelopmentReportProvider(_authority).GetReportAsync(new byte[64]);
        new SnpReportVerifier(roots).Verify(evidence.ToSnpEvidence()).Failures.Should().BeEmpty();
    }

    [Fact]
    public void Minimum_tcb_keys_are_camel_case_like_the_rest_of_the_file()
    {
        File.WriteAllBytes(Path.Combine(_dir, "db.secret"), [1]);
        var path = Write(new
        {
            keys = new[] { new { id = "db", secretFile = "db.secret", policy = new { allowedHostData = new[] { new string('b', 64) }, minimumTcb = new { bootloader = 3, tee = 0, snp = 20, microcode = 209 } } } },
        });
        KeyReleaseConfiguration.Load(path).ReadSecrets(_dir)["db"].Policy.MinimumTcb.Should().Be(new TcbComponents(3, 0, 20, 209));
    }

    [Fact]
    public void A_root_whose_fingerprint_differs_from_the_pin_is_refused()
    {
        File.WriteAllText(Path.Combine(_dir, "dev-ark.pem"), _authority.Ark.ExportCertificatePem());
        var path = Write(new { keys = Array.Empty<object>(), additionalRoots = new[] { new { product = "Milan", arkFile = "dev-ark.pem", sha256 = new string('0', 64) } } });
        var act = () => KeyReleaseConfiguration.Load(path).BuildRoots(_dir);
        act.Should().Throw<ArgumentException>().WithMessage("*not the pinned*");
    }

    [Fact]
    public void Bad_policies_are_named()
    {
        File.WriteAllBytes(Path.Combine(_dir, "s"), [1]);
        var badGroup = Write(new { keys = new[] { new { id = "k", secretFile = "s", policy = new { group = "just-a-name" } } } });
        var act = () => KeyReleaseConfiguration.Load(badGroup).ReadSecrets(_dir);
        act.Should().Throw<InvalidDataException>().WithMessage("*just-a-name*namespace/name*");

        var badHex = Write(new { keys = new[] { new { id = "k", secretFile = "s", policy = new { allowedHostData = new[] { "xyz" } } } } });
        var act2 = () => KeyReleaseConfiguration.Load(badHex).ReadSecrets(_dir);
        act2.Should().Throw<InvalidDataException>().WithMessage("*'xyz'*");

        File.WriteAllText(Path.Combine(_dir, "broken.json"), "{");
        var act3 = () => KeyReleaseConfiguration.Load(Path.Combine(_dir, "broken.json"));
        act3.Should().Throw<InvalidDataException>().WithMessage("*broken.json*");
    }
}
