using System.Text.Json.Serialization;
using Parma.Kube.Models;
using Parma.Kube.Resources;
using Parma.Kube.Serialization;

namespace Parma.Operator.Events;

/// <summary>core/v1 Event: what <c>kubectl describe</c> and <c>kubectl get events</c> show for an object.</summary>
[KubeResource("", "v1", "events", "Event")]
public sealed class CoreEvent : KubeObject
{
    public CoreEvent()
    {
        ApiVersion = "v1";
        Kind = "Event";
    }

    public ObjectReference InvolvedObject { get; set; } = new();

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public EventSource? Source { get; set; }

    [JsonConverter(typeof(KubeTimeConverter))]
    public DateTimeOffset? FirstTimestamp { get; set; }

    [JsonConverter(typeof(KubeTimeConverter))]
    public DateTimeOffset? LastTimestamp { get; set; }

    public int? Count { get; set; }

    /// <summary>"Normal" or "Warning".</summary>
    public string? Type { get; set; }

    public string? ReportingComponent { get; set; }

    public string? ReportingInstance { get; set; }
}

public sealed class EventSource : KubeModel
{
    public string? Component { get; set; }

    public string? Host { get; set; }
}
