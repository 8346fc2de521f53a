using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Parma.Hosting.Health;

/// <summary>
/// One condition a host must meet before it takes traffic, read from one of its services (the operator's
/// controller, the webhook's cluster view, key release's configuration). Registered with the "ready" tag, so
/// /readyz reports it and /healthz does not: an unready host is taken out of its Service, never restarted for it.
/// </summary>
public sealed class ReadinessCheck<TService>(TService service, Func<TService, bool> isReady, string notReadyMessage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(isReady(service) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(notReadyMessage));
}
