using System.Net;
using Parma.Testing;

namespace Parma.KeyRelease.Tests;

/// <summary>
/// Key release's probes and scrape over HTTP: ready only while a configuration is in force; after a failed reload it is
/// unready (503, saying only that the reload failed) yet live, so it is taken out of rotation rather than restarted.
/// </summary>
public sealed class OperationsEndpointTests : IClassFixture<DevelopmentAuthorityFixture>, IDisposable
{
    private readonly TenantDirectory _tenant;

    public OperationsEndpointTests(DevelopmentAuthorityFixture fixture)
    {
        _tenant = new TenantDirectory(fixture.Authority);
    }

    public void Dispose() => _tenant.Dispose();

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_follows_the_configuration_in_force_and_liveness_and_metrics_stay_up()
    {
        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup);
        _tenant.WriteConfig(new { manifests = new[] { "groups/hello.yaml" }, allowedMeasurements = new[] { TenantDirectory.MeasurementHex } });
        await using var server = await LoopbackKeyReleaseServer.StartFromConfigAsync(_tenant.ConfigPath);
        using var http = server.CreateClient();

        (await GetAsync(http, "healthz")).Should().Be((HttpStatusCode.OK, "healthz check passed\n"));
        (await GetAsync(http, "readyz")).Should().Be((HttpStatusCode.OK, "[+]configuration ok\nreadyz check passed\n"));

        File.Delete(Path.Combine(_tenant.Root, "groups", "hello.yaml"));
        (await server.Server!.ReloadAsync()).Should().BeFalse();
        var unready = await GetAsync(http, "readyz");
        unready.Should().Be((HttpStatusCode.ServiceUnavailable,
            "[-]configuration failed: the last configuration reload failed; nothing is released\nreadyz check failed\n"));
        unready.Body.Should().NotContain("hello.yaml", "the tenant's file names stay in the log");
        (await GetAsync(http, "healthz")).Status.Should().Be(HttpStatusCode.OK);

        using var scrape = await http.GetAsync(new Uri("metrics", UriKind.Relative));
        scrape.StatusCode.Should().Be(HttpStatusCode.OK);
        scrape.Content.Headers.ContentType!.ToString().Should().Contain("version=0.0.4");
        var lint = await Promtool.CheckMetricsAsync(await scrape.Content.ReadAsStringAsync());
        lint.ExitCode.Should().Be(0, lint.StandardOutput + lint.StandardError);

        _tenant.Write("groups/hello.yaml", TenantDirectory.ExampleGroup);
        (await server.Server.ReloadAsync()).Should().BeTrue();
        (await GetAsync(http, "readyz")).Status.Should().Be(HttpStatusCode.OK);
    }
}
