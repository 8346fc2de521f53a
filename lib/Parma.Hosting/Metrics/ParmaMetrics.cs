using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Parma.Hosting.Metrics;

/// <summary>
/// Exports the System.Diagnostics.Metrics meters named "Parma" or "Parma.*" through the OpenTelemetry SDK and its
/// Prometheus exporter. Instruments are named the Prometheus way (counters end in <c>_total</c>, seconds-valued
/// histograms in <c>_seconds</c> with unit "s"), so the exporter's naming rules leave every name as written; scope
/// labels and <c>target_info</c> are off, so series carry exactly the instrument's tags.
/// </summary>
public static class ParmaMetrics
{
    /// <summary>The meters exported: "Parma" and every meter under it ("Parma.Operator", "Parma.Webhook", …).</summary>
    public static readonly IReadOnlyList<string> MeterNames = ["Parma", "Parma.*"];

    /// <summary>The content type of the Prometheus text format the exporter writes unless OpenMetrics is asked for.</summary>
    public const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Bucket upper bounds (in seconds) of every histogram that brings no bucket advice of its own.</summary>
    public static readonly IReadOnlyList<double> DefaultBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    public static IServiceCollection AddParmaMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter([.. MeterNames])
            .AddView(instrument => HasBucketAdvice(instrument) || !IsHistogram(instrument)
                ? null
                : new ExplicitBucketHistogramConfiguration { Boundaries = [.. DefaultBuckets] })
            .AddPrometheusExporter(exporter =>
            {
                exporter.ScopeInfoEnabled = false;
                exporter.TargetInfoEnabled = false;
                // Every scrape reads the instruments afresh (a cached answer would show gauges such as the leader flag stale).
                exporter.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        return services;
    }

    /// <summary>Maps the scrape endpoint at <paramref name="path"/>.</summary>
    public static IEndpointConventionBuilder MapParmaMetrics(this IEndpointRouteBuilder endpoints, string path = "/metrics")
    {
        var scrape = endpoints.MapPrometheusScrapingEndpoint(path);
        scrape.Add(endpoint => endpoint.RequestDelegate = AlwaysTyped(endpoint.RequestDelegate!));
        return scrape;
    }

    // The exporter answers a scrape with nothing to report (key release has no instruments; the webhook's counters
    // have no value before the first review) without a Content-Type, and Prometheus 3 fails such a scrape.
    private static RequestDelegate AlwaysTyped(RequestDelegate exporter) => context =>
    {
        context.Response.OnStarting(() =>
        {
            if (string.IsNullOrEmpty(context.Response.ContentType))
            {
                context.Response.ContentType = TextContentType;
            }

            return Task.CompletedTask;
        });
        return exporter(context);
    };

    private static bool IsHistogram(Instrument instrument) =>
        instrument.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(Histogram<>);

    private static bool HasBucketAdvice(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries is not null,
        Histogram<float> h => h.Advice?.HistogramBucketBoundaries is not null,
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries is not null,
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries is not null,
        _ => false,
    };
}
