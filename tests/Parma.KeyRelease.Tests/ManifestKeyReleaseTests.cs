using System.Net;
using System.Text;
using Parma.Attestation.KeyRelease;
using Parma.KeyRelease.Configuration;

namespace Parma.KeyRelease.Tests;

/// <summary>
/// Host data recomputed from the tenant's manifests, over the real HTTP endpoint of a service started from its
/// configuration file: the group's policy is released to, a roll lists both manifests, reloads follow the tenant's files.
/// </summary>
public sealed class ManifestKeyReleaseTests : IClassFixture<DevelopmentAuthorityFixture>, IDisposable
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes(TenantDirectory.Secret);
    private readonly TenantDirectory _tenant;

    public ManifestKeyReleaseTests(DevelopmentAuthorityFixture fixture)
    {
        _tenant = new TenantDirectory(fixture.Authority);
    }

    public void Dispose() => _tenant.Dispose();

    private static object Policy(params string[] manifests) => new { manifests, allowedMeasurements = new[] { TenantDirectory.MeasurementHex } };

    private Task<byte[]> ReleaseAsync(HttpClient http, string hostData) =>
        new KeyReleaseClient(http, _tenant.Guest(hostData), rsaKeySize: 2048).ReleaseAsync("db");

    private async Task<KeyReleaseRefusedException> RefusedAsync(HttpClient http, string hostData)
    {
        var act = () => ReleaseAsync(http, hostData);
        return (await act.Should().ThrowAsync<KeyReleaseRefusedException>()).Which;
    }

    [Fact]
    public async Task The_recomputed_host_data_of_the_groups_manifest_is_released_to_and_nothing_else()
    {
        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup);
        _tenant.WriteConfig(Policy("groups/hello.yaml"));
        var expected = await ExamplePolicies.HostDataAsync(TenantDirectory.ExampleGroup);

        await using var server = await LoopbackKeyReleaseServer.StartFromConfigAsync(_tenant.ConfigPath);
        using var http = server.CreateClient();

        (await ReleaseAsync(http, expected)).Should().Equal(Secret);

        var nearMiss = expected[..63] + (expected[63] == '0' ? '1' : '0');
        var refusal = await RefusedAsync(http, nearMiss);
        refusal.StatusCode.Should().Be(403);
        refusal.Refusal.Reason.Should().Be("HostDataMismatch");
        refusal.Refusal.Message.Should().Contain($"HOST_DATA {nearMiss} is not the approved policy: {expected}");

        server.Logs.Text.Should().Contain($"key db approves host_data {expected}").And.Contain("groups/hello.yaml: ConfidentialPodGroup demo/hello");
    }

    [Fact]
    public async Task During_a_roll_the_tenant_lists_both_manifests_and_both_policies_are_released_to()
    {
        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup);
        _tenant.Write("groups/hello-next.yaml", TenantDirectory.NextVersionOfExampleGroup);
        _tenant.WriteConfig(Policy("groups/hello.yaml", "groups/hello-next.yaml"));
        var current = await ExamplePolicies.HostDataAsync(TenantDirectory.ExampleGroup);
        var next = await ExamplePolicies.HostDataAsync(TenantDirectory.NextVersionOfExampleGroup);
        next.Should().NotBe(current);

        await using var server = await LoopbackKeyReleaseServer.StartFromConfigAsync(_tenant.ConfigPath);
        using var http = server.CreateClient();
        (await ReleaseAsync(http, current)).Should().Equal(Secret);
        (await ReleaseAsync(http, next)).Should().Equal(Secret);

        var other = new string('e', 64);
        (await RefusedAsync(http, other)).Refusal.Message.Should().Contain($"is not one of the 2 approved policies: {current}, {next}");

        // The roll is over: the tenant drops the old manifest and reloads. The old policy gets nothing any more.
        _tenant.WriteConfig(Policy("groups/hello-next.yaml"));
        (await server.Server!.ReloadAsync()).Should().BeTrue();
        (await RefusedAsync(http, current)).Refusal.Reason.Should().Be("HostDataMismatch");
        (await ReleaseAsync(http, next)).Should().Equal(Secret);
    }

    [Fact]
    public async Task A_directory_such_as_a_git_checkout_approves_every_workload_below_it()
    {
        _tenant.Write("checkout/deploy/hello.yaml", TenantDirectory.ExampleGroup);
        _tenant.Write("checkout/.git/not-a-manifest.yaml", "this: [is not read");
        _tenant.Write("checkout/README.md", "# the tenant's repository");
        _tenant.WriteConfig(Policy("checkout"));

        var loaded = await KeyCatalogLoader.LoadAsync(_tenant.ConfigPath);
        var approved = loaded.Keys.Single().HostData.Should().ContainSingle().Subject;
        approved.Hex.Should().Be(await ExamplePolicies.HostDataAsync(TenantDirectory.ExampleGroup));
        approved.Source.Should().EndWith("deploy/hello.yaml: ConfidentialPodGroup demo/hello");
    }

    [Fact]
    public async Task A_manifest_that_does_not_generate_stops_the_start_naming_the_file()
    {
        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup);
        var unpinned = _tenant.Write("groups/unpinned.yaml", TenantDirectory.ExampleGroup.Replace("registry.example/parma/hello:1.0", "registry.example/parma/hello:latest", StringComparison.Ordinal));
        _tenant.WriteConfig(Policy("groups/hello.yaml", "groups/unpinned.yaml"));
        (await StartFails()).Should().Contain($"key 'db': manifest {unpinned}").And.Contain("registry.example/parma/hello:latest")
            .And.Contain("not pinned by digest");

        var broken = _tenant.Write("groups/broken.yaml", "kind: [unterminated");
        _tenant.WriteConfig(Policy("groups/broken.yaml"));
        (await StartFails()).Should().Contain(broken);

        var noWorkload = _tenant.Write("groups/config-only.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n");
        _tenant.WriteConfig(Policy("groups/config-only.yaml"));
        (await StartFails()).Should().Contain(noWorkload).And.Contain("no workload");

        _tenant.WriteConfig(Policy("groups/missing.yaml"));
        (await StartFails()).Should().Contain("groups/missing.yaml").And.Contain("does not exist");
    }

    [Fact]
    public async Task A_pin_that_disagrees_with_the_image_stops_the_start()
    {
        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup);
        var digests = TenantDirectory.ExampleDigests();
        digests["registry.example/parma/hello:1.0"] = digests["registry.example/parma/log-shipper:2.1"];
        _tenant.WriteConfig(Policy("groups/hello.yaml"), new { imageLayouts = new[] { TenantDirectory.ImageLayout }, imageDigests = digests });

        (await StartFails()).Should().Contain("image registry.example/parma/hello:1.0")
            .And.Contain($"the configuration pins it to {digests["registry.example/parma/log-shipper:2.1"]}");
    }

    [Fact]
    public async Task A_reload_that_fails_refuses_every_release_until_one_succeeds()
    {
        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup);
        _tenant.WriteConfig(Policy("groups/hello.yaml"));
        var hostData = await ExamplePolicies.HostDataAsync(TenantDirectory.ExampleGroup);
        await using var server = await LoopbackKeyReleaseServer.StartFromConfigAsync(_tenant.ConfigPath);
        using var http = server.CreateClient();

        File.Delete(Path.Combine(_tenant.Root, "groups", "hello.yaml"));
        (await server.Server!.ReloadAsync()).Should().BeFalse();
        var refusal = await RefusedAsync(http, hostData);
        refusal.StatusCode.Should().Be(503);
        refusal.Refusal.Reason.Should().Be("ConfigurationUnavailable");
        refusal.Refusal.Message.Should().Contain("the last reload of its configuration failed").And.NotContain("groups/hello.yaml", "requesters are not told the tenant's file names");
        server.Logs.Text.Should().Contain("every release is refused until a reload succeeds").And.Contain("groups/hello.yaml");
        (await http.GetAsync("readyz")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);

        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup);
        (await server.Server.ReloadAsync()).Should().BeTrue();
        (await ReleaseAsync(http, hostData)).Should().Equal(Secret);
        (await http.GetAsync("readyz")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private async Task<string> StartFails()
    {
        var act = () => LoopbackKeyReleaseServer.StartFromConfigAsync(_tenant.ConfigPath);
        return (await act.Should().ThrowAsync<KeyReleaseConfigurationException>()).Which.Message;
    }
}
