using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Parma.Hosting.Tests;

/// <summary>/healthz, /readyz and /metrics as kubelet and Prometheus call them.</summary>
[Collection(MetersCollection.Name)]
public sealed class OperationsEndpointTests
{
    private sealed class Caches
    {
        public volatile bool Synced;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(OperationsHost host, string path, string? hostHeader = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (hostHeader is not null)
        {
            request.Headers.Host = hostHeader;
        }

        using var response = await host.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_follows_the_registered_readiness_checks_while_healthz_stays_up()
    {
        var caches = new Caches();
        await using var host = await OperationsHost.StartAsync(services =>
        {
            services.AddSingleton(caches);
            services.AddReadinessCheck<Caches>("cache-synced", c => c.Synced, "informer caches have not synced yet");
        });

        (await GetAsync(host, "/healthz")).Should().Be((HttpStatusCode.OK, "healthz check passed\n"), "an unready process must not be restarted");
        (await GetAsync(host, "/readyz")).Should().Be(
            (HttpStatusCode.ServiceUnavailable, "[-]cache-synced failed: informer caches have not synced yet\nreadyz check failed\n"));

        caches.Synced = true;
        (await GetAsync(host, "/readyz")).Should().Be((HttpStatusCode.OK, "[+]cache-synced ok\nreadyz check passed\n"));

        caches.Synced = false;
        (await GetAsync(host, "/readyz")).Status.Should().Be(HttpStatusCode.ServiceUnavailable, "readiness is read on every probe, not latched");
    }

    [Fact]
    public async Task Every_readiness_check_must_pass_and_each_is_reported()
    {
        var caches = new Caches { Synced = true };
        await using var host = await OperationsHost.StartAsync(services =>
        {
            services.AddSingleton(caches);
            services.AddReadinessCheck<Caches>("cache-synced", c => c.Synced, "not synced");
            services.AddReadinessCheck<Caches>("certificate", _ => false, "no certificate");
        });

        var (status, body) = await GetAsync(host, "/readyz");

        status.Should().Be(HttpStatusCode.ServiceUnavailable);
        body.Should().Contain("[+]cache-synced ok\n").And.Contain("[-]certificate failed: no certificate\n").And.EndWith("readyz check failed\n");
    }

    [Fact]
    public async Task A_check_that_throws_is_unready_and_its_exception_text_stays_in_the_log()
    {
        await using var host = await OperationsHost.StartAsync(services =>
        {
            services.AddSingleton(new Caches());
            services.AddReadinessCheck<Caches>("configuration", _ => throw new IOException("/etc/tenant/secret-keys.yaml: permission denied"), "not loaded");
        });

        var (status, body) = await GetAsync(host, "/readyz");

        status.Should().Be(HttpStatusCode.ServiceUnavailable);
        body.Should().Be("[-]configuration failed: the check threw; see the log\nreadyz check failed\n");
        body.Should().NotContain("secret-keys");
    }

    [Fact]
    public async Task Checks_without_the_ready_tag_are_not_part_of_readiness_or_liveness()
    {
        await using var host = await OperationsHost.StartAsync(services =>
            services.AddHealthChecks().AddCheck("untagged", () => HealthCheckResult.Unhealthy("down")));

        (await GetAsync(host, "/readyz")).Should().Be((HttpStatusCode.OK, "readyz check passed\n"));
        (await GetAsync(host, "/healthz")).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Probes_and_metrics_answer_only_on_the_ports_they_are_restricted_to()
    {
        await using var host = await OperationsHost.StartAsync(services => { }, 9090);
        using var meter = new Meter("Parma.Test.Ports");
        meter.CreateCounter<long>("parma_test_ports_total").Add(1);

        (await GetAsync(host, "/healthz", "localhost:9090")).Status.Should().Be(HttpStatusCode.OK);
        (await GetAsync(host, "/readyz", "localhost:9090")).Status.Should().Be(HttpStatusCode.OK);
        (await GetAsync(host, "/metrics", "localhost:9090")).Body.Should().Contain("parma_test_ports_total{} 1\n");
        foreach (var path in new[] { "/healthz", "/readyz", "/metrics" })
        {
            (await GetAsync(host, path, "localhost:8443")).Status.Should().Be(HttpStatusCode.NotFound, path);
        }
    }
}
