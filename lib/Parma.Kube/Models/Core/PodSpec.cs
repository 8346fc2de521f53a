namespace Parma.Kube.Models;

public sealed class PodSpec : KubeModel
{
    public List<Container> Containers { get; set; } = [];

    public List<Container>? InitContainers { get; set; }

    public List<Volume>? Volumes { get; set; }

    public string? RuntimeClassName { get; set; }

    public Dictionary<string, string>? NodeSelector { get; set; }

    public string? NodeName { get; set; }

    public string? ServiceAccountName { get; set; }

    public bool? AutomountServiceAccountToken { get; set; }

    public string? RestartPolicy { get; set; }

    public long? TerminationGracePeriodSeconds { get; set; }

    public long? ActiveDeadlineSeconds { get; set; }

    public string? DnsPolicy { get; set; }

    public bool? HostNetwork { get; set; }

    public bool? HostPID { get; set; }

    public bool? HostIPC { get; set; }

    public bool? ShareProcessNamespace { get; set; }

    public string? Hostname { get; set; }

    public string? Subdomain { get; set; }

    public PodSecurityContext? SecurityContext { get; set; }

    public List<LocalObjectReference>? ImagePullSecrets { get; set; }

    public List<Toleration>? Tolerations { get; set; }

    public Affinity? Affinity { get; set; }

    public string? SchedulerName { get; set; }

    public string? PriorityClassName { get; set; }

    public int? Priority { get; set; }

    public bool? EnableServiceLinks { get; set; }

    public Dictionary<string, string>? Overhead { get; set; }
}

public sealed class LocalObjectReference : KubeModel
{
    public string? Name { get; set; }
}

public sealed class Toleration : KubeModel
{
    public string? Key { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("operator")]
    public string? Operator { get; set; }

    public string? Value { get; set; }

    public string? Effect { get; set; }

    public long? TolerationSeconds { get; set; }
}

/// <summary>Node and pod (anti-)affinity; carried as written, the policy generator does not read it.</summary>
public sealed class Affinity : KubeModel
{
}
