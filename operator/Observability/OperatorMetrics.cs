using System.Diagnostics.Metrics;

namespace Parma.Operator.Observability;

/// <summary>The operator's instruments (meter "Parma.Operator"), exported by /metrics in Prometheus text.</summary>
internal sealed class OperatorMetrics : IDisposable
{
    public const string MeterName = "Parma.Operator";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _reconciles;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _podsCreated;
    private readonly Counter<long> _podsDeleted;
    private readonly Counter<long> _policies;
    private Func<int> _queueDepth = () => 0;
    private volatile bool _leader;

    public OperatorMetrics()
    {
        _reconciles = _meter.CreateCounter<long>("parma_operator_reconcile_total", description: "Reconciles of ConfidentialPodGroups by result.");
        _duration = _meter.CreateHistogram<double>("parma_operator_reconcile_duration_seconds", unit: "s", description: "Time one reconcile took.");
        _errors = _meter.CreateCounter<long>("parma_operator_reconcile_errors_total", description: "Reconciles that failed, by reason.");
        _podsCreated = _meter.CreateCounter<long>("parma_operator_pods_created_total", description: "Pods created.");
        _podsDeleted = _meter.CreateCounter<long>("parma_operator_pods_deleted_total", description: "Pods deleted, by why.");
        _policies = _meter.CreateCounter<long>("parma_operator_policies_generated_total", description: "Policies generated with a new host_data.");
        _meter.CreateObservableGauge("parma_operator_workqueue_depth", () => _queueDepth(), description: "Keys waiting in the work queue.");
        _meter.CreateObservableGauge("parma_operator_leader", () => _leader ? 1 : 0, description: "1 while this replica leads.");
    }

    public void ObserveQueue(Func<int> depth) => _queueDepth = depth;

    public void SetLeader(bool leader) => _leader = leader;

    public void Reconciled(string result, TimeSpan duration)
    {
        _reconciles.Add(1, new KeyValuePair<string, object?>("result", result));
        _duration.Record(duration.TotalSeconds);
    }

    public void Error(string reason) => _errors.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void PodCreated() => _podsCreated.Add(1);

    public void PodDeleted(string why) => _podsDeleted.Add(1, new KeyValuePair<string, object?>("why", why));

    public void PolicyGenerated() => _policies.Add(1);

    public void Dispose() => _meter.Dispose();
}
