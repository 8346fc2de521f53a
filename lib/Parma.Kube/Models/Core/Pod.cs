using Parma.Kube.Resources;

namespace Parma.Kube.Models;

[KubeResource("", "v1", "pods", "Pod")]
public sealed class Pod : KubeObject
{
    public PodSpec? Spec { get; set; }

    public PodStatus? Status { get; set; }
}

public sealed class PodTemplateSpec : KubeModel
{
    public ObjectMeta? Metadata { get; set; }

    public PodSpec? Spec { get; set; }
}

public sealed class PodStatus : KubeModel
{
    public string? Phase { get; set; }

    public string? Message { get; set; }

    public string? Reason { get; set; }

    public string? HostIP { get; set; }

    public string? PodIP { get; set; }

    public string? NominatedNodeName { get; set; }

    public string? QosClass { get; set; }

    public string? StartTime { get; set; }

    public List<PodCondition>? Conditions { get; set; }

    public List<ContainerStatus>? InitContainerStatuses { get; set; }

    public List<ContainerStatus>? ContainerStatuses { get; set; }
}

public sealed class PodCondition : KubeModel
{
    public string Type { get; set; } = "";

    public string Status { get; set; } = "";

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public string? LastTransitionTime { get; set; }

    public string? LastProbeTime { get; set; }
}

public sealed class ContainerStatus : KubeModel
{
    public string Name { get; set; } = "";

    public string? Image { get; set; }

    public string? ImageID { get; set; }

    public string? ContainerID { get; set; }

    public bool Ready { get; set; }

    public int RestartCount { get; set; }

    public bool? Started { get; set; }

    public ContainerState? State { get; set; }

    public ContainerState? LastState { get; set; }
}

/// <summary>At most one of waiting, running and terminated is set.</summary>
public sealed class ContainerState : KubeModel
{
    public ContainerStateWaiting? Waiting { get; set; }

    public ContainerStateRunning? Running { get; set; }

    public ContainerStateTerminated? Terminated { get; set; }
}

public sealed class ContainerStateWaiting : KubeModel
{
    /// <summary>Why the container is not running yet, e.g. ContainerCreating, CrashLoopBackOff, ImagePullBackOff.</summary>
    public string? Reason { get; set; }

    public string? Message { get; set; }
}

public sealed class ContainerStateRunning : KubeModel
{
    public string? StartedAt { get; set; }
}

public sealed class ContainerStateTerminated : KubeModel
{
    public int ExitCode { get; set; }

    public int? Signal { get; set; }

    public string? Reason { get; set; }

    public string? Message { get; set; }

    public string? StartedAt { get; set; }

    public string? FinishedAt { get; set; }

    public string? ContainerID { get; set; }
}
