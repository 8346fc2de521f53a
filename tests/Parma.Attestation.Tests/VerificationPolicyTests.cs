using Parma.Attestation.Certificates;
using Parma.Attestation.Guest;
using Parma.Attestation.Verification;

namespace Parma.Attestation.Tests;

/// <summary>The verifier's relying-party checks fail closed, and each mismatch names what was expected.</summary>
public sealed class VerificationPolicyTests(DevelopmentAuthorityFixture fixture) : IClassFixture<DevelopmentAuthorityFixture>
{
    private static readonly byte[] Measurement = Enumerable.Repeat((byte)0x42, 48).ToArray();
    private static readonly byte[] HostData = Enumerable.Repeat((byte)0x07, 32).ToArray();

    private SnpReportVerifier Verifier => new(fixture.Authority.TrustAsDevelopmentRoot(TrustedRoots.AmdBuiltIn()));

    private async Task<SnpEvidence> Report(ulong guestPolicy = 0x30000) =>
        (await new DevelopmentReportProvider(fixture.Authority, new DevelopmentReportSettings { HostData = HostData, Measurement = Measurement, Policy = guestPolicy })
            .GetReportAsync(new byte[64])).ToSnpEvidence();

    [Fact]
    public async Task A_migration_agent_is_refused_unless_the_caller_allows_it()
    {
        var evidence = await Report(guestPolicy: 0x30000 | (1UL << 18));

        var result = Verifier.Verify(evidence);
        result.Failures.Should().ContainSingle().Which.Should().Be(new AttestationFailure(
            AttestationFailureReason.MigrationAgentNotAllowed,
            "guest policy 0x70000 allows a migration agent (bit 18), which could export guest memory; expected the bit clear"));

        Verifier.Verify(evidence, new VerificationPolicy { AllowMigrationAgent = true }).Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task An_empty_allow_list_accepts_nothing_and_null_is_not_checked()
    {
        var evidence = await Report();

        var empty = Verifier.Verify(evidence, new VerificationPolicy { AllowedMeasurements = [], AllowedHostData = [] });
        empty.Failures.Select(f => f.Message).Should().Equal(
            $"MEASUREMENT {Convert.ToHexStringLower(Measurement)} is not accepted (no approved measurements are configured)",
            $"HOST_DATA {Convert.ToHexStringLower(HostData)} is not accepted (no approved policies are configured)");

        Verifier.Verify(evidence, new VerificationPolicy { AllowedMeasurements = null, AllowedHostData = null }).Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task A_mismatch_names_the_approved_values()
    {
        var evidence = await Report();
        var approved = Enumerable.Range(0, 20).Select(i => Enumerable.Repeat((byte)(0xA0 + i), 32).ToArray()).ToList();
        var measurements = new[] { new byte[48], Enumerable.Repeat((byte)1, 48).ToArray() };

        var result = Verifier.Verify(evidence, new VerificationPolicy { AllowedHostData = approved, AllowedMeasurements = measurements });

        var listed = string.Join(", ", approved.Take(16).Select(Convert.ToHexStringLower));
        result.Failures.Select(f => f.Message).Should().Equal(
            $"MEASUREMENT {Convert.ToHexStringLower(Measurement)} is not one of the 2 approved measurements: {Convert.ToHexStringLower(measurements[0])}, {Convert.ToHexStringLower(measurements[1])}",
            $"HOST_DATA {Convert.ToHexStringLower(HostData)} is not one of the 20 approved policies: {listed} and 4 more");
    }
}
