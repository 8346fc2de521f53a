using System.Text.Json.Serialization;
using Parma.Kube.Resources;
using Parma.Kube.Serialization;

namespace Parma.Kube.Models;

/// <summary>events.k8s.io/v1 Event.</summary>
[KubeResource("events.k8s.io", "v1", "events", "Event")]
public sealed class Event : KubeObject
{
    [JsonConverter(typeof(KubeMicroTimeConverter))]
    public DateTimeOffset? EventTime { get; set; }

    public string? ReportingController { get; set; }

    public string? ReportingInstance { get; set; }

    public string? Action { get; set; }

    public string? Reason { get; set; }

    public ObjectReference? Regarding { get; set; }

    public ObjectReference? Related { get; set; }

    public string? Note { get; set; }

    /// <summary>"Normal" or "Warning".</summary>
    public string? Type { get; set; }

    public EventSeries? Series { get; set; }
}

public sealed class ObjectReference : KubeModel
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public string? Name { get; set; }

    public string? Namespace { get; set; }

    public string? Uid { get; set; }

    public string? ResourceVersion { get; set; }

    public string? FieldPath { get; set; }
}

public sealed class EventSeries : KubeModel
{
    public int Count { get; set; }

    [JsonConverter(typeof(KubeMicroTimeConverter))]
    public DateTimeOffset? LastObservedTime { get; set; }
}
