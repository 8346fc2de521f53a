using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Parma.Attestation.Certificates;
using Parma.Attestation.Guest;
using Parma.Attestation.KeyRelease;
using Parma.Attestation.Verification;

namespace Parma.KeyRelease.Tests;

public sealed class KeyReleaseEndToEndTests : IClassFixture<DevelopmentAuthorityFixture>
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("db-password: s3cr3t-value-never-logged");
    private static readonly string PolicyHostData = Convert.ToHexStringLower(SHA256.HashData("package agent_policy\n"u8));
    private static readonly byte[] Measurement = Enumerable.Range(1, 48).Select(i => (byte)i).ToArray();

    private readonly DevelopmentAuthority _authority;

    public KeyReleaseEndToEndTests(DevelopmentAuthorityFixture fixture)
    {
        _authority = fixture.Authority;
    }

    private SnpReportVerifier TrustingVerifier() => new(_authority.TrustAsDevelopmentRoot(TrustedRoots.AmdBuiltIn()));

    private DevelopmentReportProvider Guest(string hostDataHex) => new(_authority, new DevelopmentReportSettings
    {
        HostData = Convert.FromHexString(hostDataHex),
        Measurement = Measurement,
    });

    private static ReleasableSecret[] Secrets(KeyReleasePolicy policy) => [new ReleasableSecret("db", Secret, policy)];

    private static KeyReleasePolicy Policy => new()
    {
        AllowedHostData = [PolicyHostData],
        AllowedMeasurements = [Convert.ToHexStringLower(Measurement)],
        MinimumTcb = new(4, 0, 22, 213),
    };

    [Fact]
    public async Task A_guest_with_the_right_policy_gets_the_secret_and_a_replayed_public_key_is_refused()
    {
        await using var server = await LoopbackKeyReleaseServer.StartAsync(Secrets(Policy), TrustingVerifier());
        using var http = server.CreateClient();
        var client = new KeyReleaseClient(http, Guest(PolicyHostData), rsaKeySize: 2048);

        using var key = RSA.Create(2048);
        var request = await client.CreateRequestAsync(key);
        var released = await client.SendAsync("db", request, key);
        released.Should().Equal(Secret);

        var replay = async () => await client.SendAsync("db", request, key);
        (await replay.Should().ThrowAsync<KeyReleaseRefusedException>())
            .Which.Should().Match<KeyReleaseRefusedException>(e => e.StatusCode == 409 && e.Refusal.Reason == "ReplayedPublicKey");

        (await client.ReleaseAsync("db")).Should().Equal(Secret, "a fresh key pair is a fresh request");

        var logs = string.Join('\n', server.Logs.Lines);
        logs.Should().Contain("Decision=Released").And.Contain("Decision=ReplayedPublicKey");
        logs.Should().NotContain("s3cr3t").And.NotContain(Convert.ToBase64String(Secret));
    }

    [Fact]
    public async Task A_tampered_report_is_refused()
    {
        await using var server = await LoopbackKeyReleaseServer.StartAsync(Secrets(Policy), TrustingVerifier());
        using var http = server.CreateClient();
        var client = new KeyReleaseClient(http, Guest(PolicyHostData), rsaKeySize: 2048);
        using var key = RSA.Create(2048);
        var request = await client.CreateRequestAsync(key);

        // The host rewrites HOST_DATA to a value the policy allows… after the PSP signed: the signature breaks.
        var report = Convert.FromBase64String(request.Report);
        report[0xC0] ^= 0x01;
        var tampered = request with { Report = Convert.ToBase64String(report) };

        var act = async () => await client.SendAsync("db", tampered, key);
        var refusal = (await act.Should().ThrowAsync<KeyReleaseRefusedException>()).Which;
        refusal.StatusCode.Should().Be(403);
        refusal.Refusal.Failures.Should().Contain(f => f.StartsWith("BadReportSignature"));
    }

    [Fact]
    public async Task A_wrong_host_data_is_refused_with_the_approved_values_named()
    {
        var otherPolicy = Convert.ToHexStringLower(SHA256.HashData("package agent_policy\n# other\n"u8));
        await using var server = await LoopbackKeyReleaseServer.StartAsync(Secrets(Policy), TrustingVerifier());
        using var http = server.CreateClient();

        var act = async () => await new KeyReleaseClient(http, Guest(otherPolicy), rsaKeySize: 2048).ReleaseAsync("db");
        var refusal = (await act.Should().ThrowAsync<KeyReleaseRefusedException>()).Which;
        refusal.StatusCode.Should().Be(403);
        refusal.Refusal.Reason.Should().Be("HostDataMismatch");
        refusal.Refusal.Message.Should().Be($"the attestation report does not satisfy the release policy of key 'db': HOST_DATA {otherPolicy} is not the approved policy: {PolicyHostData}");
    }

    [Fact]
    public async Task Report_data_that_does_not_bind_the_offered_public_key_is_refused()
    {
        await using var server = await LoopbackKeyReleaseServer.StartAsync(Secrets(Policy), TrustingVerifier());
        using var http = server.CreateClient();
        var client = new KeyReleaseClient(http, Guest(PolicyHostData), rsaKeySize: 2048);
        using var guestKey = RSA.Create(2048);
        using var attackerKey = RSA.Create(2048);
        var request = await client.CreateRequestAsync(guestKey);

        var act = async () => await client.SendAsync("db", request with { PublicKey = RsaJwk.FromKey(attackerKey) }, attackerKey);
        (await act.Should().ThrowAsync<KeyReleaseRefusedException>()).Which.Refusal.Reason.Should().Be("ReportDataMismatch");
    }

    [Fact]
    public async Task Development_reports_are_refused_by_a_service_that_trusts_only_amd()
    {
        await using var server = await LoopbackKeyReleaseServer.StartAsync(Secrets(Policy), SnpReportVerifier.CreateDefault());
        using var http = server.CreateClient();
        var act = async () => await new KeyReleaseClient(http, Guest(PolicyHostData), rsaKeySize: 2048).ReleaseAsync("db");
        (await act.Should().ThrowAsync<KeyReleaseRefusedException>()).Which.Refusal.Reason.Should().Be("UntrustedRoot");
    }

    [Fact]
    public async Task Malformed_requests_and_unknown_keys_get_clear_errors()
    {
        await using var server = await LoopbackKeyReleaseServer.StartAsync(Secrets(Policy), TrustingVerifier());
        using var http = server.CreateClient();

        using var notJson = await http.PostAsync("keys/db/release", new StringContent("{not json", Encoding.UTF8, "application/json"));
        notJson.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        using var badReport = await http.PostAsJsonAsync("keys/db/release", new KeyReleaseRequest("!!!", RsaJwk.FromKey(RSA.Create(2048))));
        badReport.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badReport.Content.ReadFromJsonAsync<KeyReleaseRefusal>())!.Message.Should().NotBeEmpty();

        using var weakKey = await http.PostAsJsonAsync("keys/db/release", new KeyReleaseRequest("AAAA", RsaJwk.FromKey(RSA.Create(1024))));
        (await weakKey.Content.ReadFromJsonAsync<KeyReleaseRefusal>())!.Message.Should().Contain("2048");

        using var unknown = await http.PostAsJsonAsync("keys/nope/release", new KeyReleaseRequest("AAAA", RsaJwk.FromKey(RSA.Create(2048))));
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public void Jwk_thumbprint_matches_rfc7638_example()
    {
        // RFC 7638 §3.1 example key and thumbprint.
        var jwk = new RsaJwk("RSA",
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "AQAB");
        jwk.Thumbprint().Should().Be("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
        jwk.ReportData().Should().HaveCount(64);
        jwk.ReportData()[32..].Should().OnlyContain(b => b == 0);
    }

    [Fact]
    public async Task A_service_whose_reload_failed_releases_nothing_and_says_why()
    {
        var slot = new KeyCatalogSlot(new KeyCatalog(Secrets(Policy), TrustingVerifier()));
        var service = new KeyReleaseService(slot, new InMemoryReplayGuard(), NullLogger<KeyReleaseService>.Instance);
        var evidence = await Guest(PolicyHostData).GetReportAsync(new byte[64]);
        var request = new KeyReleaseRequest(Convert.ToBase64String(evidence.Report), RsaJwk.FromKey(RSA.Create(2048)));

        slot.Invalidate("the last reload failed");
        var outcome = await service.ReleaseAsync("db", request);
        outcome.Status.Should().Be(KeyReleaseStatus.Unavailable);
        outcome.Refusal!.Message.Should().Be("the service has no valid configuration, so it releases nothing: the last reload failed");
    }
}

public sealed class DevelopmentAuthorityFixture : IDisposable
{
    public DevelopmentAuthority Authority { get; } = DevelopmentAuthority.Create();

    public void Dispose() => Authority.Dispose();
}
