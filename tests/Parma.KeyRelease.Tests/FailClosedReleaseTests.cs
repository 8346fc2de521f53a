using System.Security.Cryptography;
using System.Text;
using Parma.Attestation.Certificates;
using Parma.Attestation.Guest;
using Parma.Attestation.KeyRelease;
using Parma.Attestation.Report;
using Parma.Attestation.Verification;

namespace Parma.KeyRelease.Tests;

/// <summary>
/// Verification fails closed, over the HTTP endpoint of a service started from its configuration: each report below carries
/// the approved HOST_DATA and differs in one launch property, and each refusal names what was expected.
/// </summary>
public sealed class FailClosedReleaseTests : IClassFixture<DevelopmentAuthorityFixture>, IDisposable
{
    private static readonly string HostData = Convert.ToHexStringLower(SHA256.HashData("package agent_policy\n"u8));
    private static readonly byte[] OtherMeasurement = Enumerable.Repeat((byte)0xEE, 48).ToArray();
    private const ulong MigrationAgentPolicy = 0x30000 | (1UL << 18);
    private const ulong DebugPolicy = 0x30000 | (1UL << 19);

    private readonly TenantDirectory _tenant;

    public FailClosedReleaseTests(DevelopmentAuthorityFixture fixture)
    {
        _tenant = new TenantDirectory(fixture.Authority);
    }

    public void Dispose() => _tenant.Dispose();

    public static TheoryData<string, string, string> Refused => new()
    {
        // case, reason, what the message must name
        { "another UVM image", "MeasurementMismatch", $"MEASUREMENT {Convert.ToHexStringLower(OtherMeasurement)} is not the approved measurement: {TenantDirectory.MeasurementHex}" },
        { "migration agent allowed", "MigrationAgentNotAllowed", "guest policy 0x70000 allows a migration agent (bit 18)" },
        { "debug guest", "DebugNotAllowed", "guest policy 0xb0000 allows debugging" },
        { "VMPL 1", "VmplMismatch", "VMPL is 1, expected 0" },
    };

    private static DevelopmentReportSettings Launch(string @case, DevelopmentReportSettings settings) => @case switch
    {
        "another UVM image" => settings with { Measurement = OtherMeasurement },
        "migration agent allowed" => settings with { Policy = MigrationAgentPolicy },
        "debug guest" => settings with { Policy = DebugPolicy },
        "VMPL 1" => settings with { Vmpl = 1 },
        _ => settings,
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_report_that_differs_in_one_launch_property_is_refused_with_the_expected_value_named(string @case, string reason, string message)
    {
        _tenant.WriteConfig(new
        {
            allowedHostData = new[] { HostData },
            allowedMeasurements = new[] { TenantDirectory.MeasurementHex },
            minimumTcb = new { bootloader = 4, tee = 0, snp = 22, microcode = 213 },
        });
        await using var server = await LoopbackKeyReleaseServer.StartFromConfigAsync(_tenant.ConfigPath);
        using var http = server.CreateClient();

        (await new KeyReleaseClient(http, _tenant.Guest(HostData), rsaKeySize: 2048).ReleaseAsync("db"))
            .Should().Equal(Encoding.UTF8.GetBytes(TenantDirectory.Secret), "the unchanged launch is approved");

        var act = () => new KeyReleaseClient(http, _tenant.Guest(HostData, settings => Launch(@case, settings)), rsaKeySize: 2048).ReleaseAsync("db");
        var refusal = (await act.Should().ThrowAsync<KeyReleaseRefusedException>()).Which;
        refusal.StatusCode.Should().Be(403);
        refusal.Refusal.Reason.Should().Be(reason);
        refusal.Refusal.Message.Should().Contain(message);
    }

    [Fact]
    public async Task A_platform_below_the_minimum_tcb_is_refused_with_the_minimum_named()
    {
        // The TCB belongs to the platform (its VCEK certificate and the report): an older platform signs these reports.
        using var older = DevelopmentAuthority.Create(new TcbComponents(Bootloader: 4, Tee: 0, Snp: 21, Microcode: 213));
        using var tenant = new TenantDirectory(older);
        object Policy(int snp) => new { allowedHostData = new[] { HostData }, allowedMeasurements = new[] { TenantDirectory.MeasurementHex }, minimumTcb = new { bootloader = 4, tee = 0, snp, microcode = 213 } };
        tenant.WriteConfig(Policy(snp: 21));
        await using var server = await LoopbackKeyReleaseServer.StartFromConfigAsync(tenant.ConfigPath);
        using var http = server.CreateClient();
        (await new KeyReleaseClient(http, tenant.Guest(HostData), rsaKeySize: 2048).ReleaseAsync("db")).Should().Equal(Encoding.UTF8.GetBytes(TenantDirectory.Secret));

        tenant.WriteConfig(Policy(snp: 22));
        (await server.Server!.ReloadAsync()).Should().BeTrue();
        var act = () => new KeyReleaseClient(http, tenant.Guest(HostData), rsaKeySize: 2048).ReleaseAsync("db");
        var refusal = (await act.Should().ThrowAsync<KeyReleaseRefusedException>()).Which;
        refusal.Refusal.Reason.Should().Be("TcbBelowMinimum");
        refusal.Refusal.Message.Should().Contain("REPORTED_TCB bl=4 tee=0 snp=21 ucode=213 is below the minimum bl=4 tee=0 snp=22 ucode=213");
    }

    [Fact]
    public async Task Any_measurement_and_a_migration_agent_are_accepted_only_when_the_configuration_says_so()
    {
        _tenant.WriteConfig(new { allowedHostData = new[] { HostData }, allowAnyMeasurement = true, allowMigrationAgent = true });
        await using var server = await LoopbackKeyReleaseServer.StartFromConfigAsync(_tenant.ConfigPath);
        using var http = server.CreateClient();

        var guest = _tenant.Guest(HostData, settings => settings with { Measurement = OtherMeasurement, Policy = MigrationAgentPolicy });
        (await new KeyReleaseClient(http, guest, rsaKeySize: 2048).ReleaseAsync("db")).Should().Equal(Encoding.UTF8.GetBytes(TenantDirectory.Secret));
        server.Logs.Text.Should().Contain("accepts any MEASUREMENT").And.Contain("accepts guests that allow a migration agent");

        var debug = () => new KeyReleaseClient(http, _tenant.Guest(HostData, settings => settings with { Policy = DebugPolicy }), rsaKeySize: 2048).ReleaseAsync("db");
        (await debug.Should().ThrowAsync<KeyReleaseRefusedException>()).Which.Refusal.Reason.Should().Be("DebugNotAllowed", "debug has no opt-in");
    }

    [Fact]
    public void A_catalog_built_in_code_is_held_to_the_same_rules_as_the_file()
    {
        var verifier = new SnpReportVerifier(_tenant.Authority.TrustAsDevelopmentRoot(TrustedRoots.AmdBuiltIn()));
        var noMeasurement = () => new KeyCatalog([new ReleasableSecret("db", [1], new KeyReleasePolicy { AllowedHostData = [HostData] })], verifier);
        noMeasurement.Should().Throw<InvalidDataException>().WithMessage("*key 'db'*no MEASUREMENT is approved*allowAnyMeasurement*");

        var noHostData = () => new KeyCatalog([new ReleasableSecret("db", [1], new KeyReleasePolicy { AllowAnyMeasurement = true })], verifier);
        noHostData.Should().Throw<InvalidDataException>().WithMessage("*no host_data is approved*");

        new VerificationPolicy().AllowMigrationAgent.Should().BeFalse("the verifier's default refuses a migration agent for every caller");
    }
}
