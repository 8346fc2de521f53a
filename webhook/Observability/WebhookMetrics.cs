using System.Diagnostics.Metrics;

namespace Parma.Webhook.Observability;

/// <summary>The webhook's instruments (Prometheus names; exported by Parma.Hosting's /metrics).</summary>
public sealed class WebhookMetrics : IDisposable
{
    public const string MeterName = "Parma.Webhook";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _admissions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _denials;

    public WebhookMetrics()
    {
        _admissions = _meter.CreateCounter<long>("parma_webhook_admission_total", description: "Admission requests answered, by operation and result.");
        _duration = _meter.CreateHistogram<double>("parma_webhook_admission_duration_seconds", unit: "s", description: "Time to answer an admission request.");
        _denials = _meter.CreateCounter<long>("parma_webhook_denials_total", description: "Admission requests refused, by reason.");
    }

    /// <param name="operation">mutate_pods, validate_pods or validate_confidentialpodgroups.</param>
    /// <param name="result">allowed, patched, denied or bad_request.</param>
    public void Record(string operation, string result, double seconds, string? denialReason)
    {
        var tags = new KeyValuePair<string, object?>[] { new("operation", operation), new("result", result) };
        _admissions.Add(1, tags);
        _duration.Record(seconds, new KeyValuePair<string, object?>("operation", operation));
        if (denialReason is not null)
        {
            _denials.Add(1, new KeyValuePair<string, object?>("reason", denialReason));
        }
    }

    public void Dispose() => _meter.Dispose();
}
