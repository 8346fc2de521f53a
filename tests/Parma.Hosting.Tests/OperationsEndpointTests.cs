using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Parma.Hosting.Tests;

public sealed class OperationsEndpointTests
{
    [Fact]
    public async Task Healthz_readyz_and_metrics_answer_like_kubelet_and_prometheus_expect()
    {
        var ready = false;
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.AddParmaOperations("parma-test");
        builder.Services.AddReadinessCheck("cache-synced", () => ready, "informer caches have not synced yet");
        await using var app = builder.Build();
        app.MapParmaOperations();
        await app.StartAsync();
        using var client = app.GetTestClient();
        using var meter = new Meter("Parma.EndpointTest");
        meter.CreateCounter<long>("parma_endpoint_test_total").Add(4);

        (await client.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        var notReady = await client.GetAsync("/readyz");
        notReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        ready = true;
        (await client.GetAsync("/readyz")).StatusCode.Should().Be(HttpStatusCode.OK);

        var scrape = await client.GetAsync("/metrics");
        scrape.Content.Headers.ContentType!.ToString().Should().Contain("text/plain; version=0.0.4");
        (await scrape.Content.ReadAsStringAsync()).Should().Contain("parma_endpoint_test_total 4\n");
        await app.StopAsync();
    }
}
