using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Parma.Hosting.Metrics;

namespace Parma.Hosting;

/// <summary>
/// The operations surface every Parma server shares: JSON logs, /healthz (the process answers),
/// /readyz (health checks tagged "ready") and /metrics (Prometheus text of the "Parma*" meters).
/// </summary>
public static class ParmaOperations
{
    public const string ReadyTag = "ready";

    public static WebApplicationBuilder AddParmaOperations(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options =>
        {
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            options.IncludeScopes = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(new ServiceIdentity(serviceName));
        builder.Services.AddSingleton<PrometheusMetrics>();
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>Maps /healthz, /readyz and /metrics (optionally only on the given ports, e.g. a plain-HTTP metrics port).</summary>
    public static IEndpointRouteBuilder MapParmaOperations(this IEndpointRouteBuilder endpoints, params int[] onlyOnPorts)
    {
        var host = onlyOnPorts.Length == 0 ? null : onlyOnPorts.Select(p => $"*:{p}").ToArray();
        var metrics = endpoints.ServiceProvider.GetRequiredService<PrometheusMetrics>();

        var live = endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        var ready = endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        var scrape = endpoints.MapGet("/metrics", () => Results.Text(metrics.Render(), PrometheusMetrics.ContentType));
        if (host is not null)
        {
            live.RequireHost(host);
            ready.RequireHost(host);
            scrape.RequireHost(host);
        }

        return endpoints;
    }

    /// <summary>Registers a readiness check (reported by /readyz).</summary>
    public static IHealthChecksBuilder AddReadinessCheck(this IServiceCollection services, string name, Func<bool> isReady, string notReadyMessage) =>
        services.AddHealthChecks().AddCheck(
            name,
            () => isReady() ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(notReadyMessage),
            [ReadyTag]);
}

/// <summary>The running service's name, for logs and metrics.</summary>
public sealed record ServiceIdentity(string Name);
