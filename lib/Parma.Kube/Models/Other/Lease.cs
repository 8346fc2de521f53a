using System.Text.Json.Serialization;
using Parma.Kube.Resources;
using Parma.Kube.Serialization;

namespace Parma.Kube.Models;

[KubeResource("coordination.k8s.io", "v1", "leases", "Lease")]
public sealed class Lease : KubeObject
{
    public LeaseSpec? Spec { get; set; }
}

public sealed class LeaseSpec : KubeModel
{
    public string? HolderIdentity { get; set; }

    public int? LeaseDurationSeconds { get; set; }

    [JsonConverter(typeof(KubeMicroTimeConverter))]
    public DateTimeOffset? AcquireTime { get; set; }

    [JsonConverter(typeof(KubeMicroTimeConverter))]
    public DateTimeOffset? RenewTime { get; set; }

    public int? LeaseTransitions { get; set; }
}
