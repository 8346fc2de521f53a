using System.Diagnostics.Metrics;
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
                // Every scrape reads the instruments afresh (readiness and rollouts are watched through them).
                exporter.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        return services;
    }

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
