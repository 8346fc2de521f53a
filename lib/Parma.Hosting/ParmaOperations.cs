using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Parma.Hosting.Health;
using Parma.Hosting.Metrics;

namespace Parma.Hosting;

/// <summary>
/// The operations surface every Parma server shares: JSON logs, /healthz (the process answers; no check runs),
/// /readyz (the health checks tagged "ready") and /metrics (Prometheus text of the "Parma" meters, see <see cref="ParmaMetrics"/>).
/// </summary>
public static class ParmaOperations
{
    public const string ReadyTag = "ready";

    public static WebApplicationBuilder AddParmaOperations(this WebApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options =>
        {
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            options.IncludeScopes = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(new ServiceIdentity(serviceName));
        builder.Services.AddParmaMetrics();
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>Maps /healthz, /readyz and /metrics (optionally only on the given ports, e.g. a plain-HTTP metrics port).</summary>
    public static IEndpointRouteBuilder MapParmaOperations(this IEndpointRouteBuilder endpoints, params int[] onlyOnPorts)
    {
        var live = endpoints.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = HealthReportText.Writer("healthz"),
        });
        var ready = endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = HealthReportText.Writer("readyz"),
        });
        var scrape = endpoints.MapParmaMetrics("/metrics");
        if (onlyOnPorts.Length > 0)
        {
            var hosts = onlyOnPorts.Select(p => $"*:{p}").ToArray();
            live.RequireHost(hosts);
            ready.RequireHost(hosts);
            scrape.RequireHost(hosts);
        }

        return endpoints;
    }

    /// <summary>
    /// Registers a readiness check (reported by /readyz) that reads <paramref name="isReady"/> from the host's
    /// <typeparamref name="TService"/>, resolved from the container each time the check runs.
    /// </summary>
    public static IHealthChecksBuilder AddReadinessCheck<TService>(
        this IServiceCollection services, string name, Func<TService, bool> isReady, string notReadyMessage)
        where TService : notnull =>
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            name,
            provider => new ReadinessCheck<TService>(provider.GetRequiredService<TService>(), isReady, notReadyMessage),
            HealthStatus.Unhealthy,
            [ReadyTag]));
}

/// <summary>The running service's name, for logs and metrics.</summary>
public sealed record ServiceIdentity(string Name);
