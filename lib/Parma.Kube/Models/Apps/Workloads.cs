using Parma.Kube.Resources;

namespace Parma.Kube.Models;

[KubeResource("apps", "v1", "deployments", "Deployment", HasStatusSubresource = true)]
public sealed class Deployment : KubeObject
{
    public DeploymentSpec? Spec { get; set; }

    public WorkloadStatus? Status { get; set; }
}

public sealed class DeploymentSpec : KubeModel
{
    public int? Replicas { get; set; }

    public LabelSelector? Selector { get; set; }

    public PodTemplateSpec Template { get; set; } = new();

    public DeploymentStrategy? Strategy { get; set; }

    public int? MinReadySeconds { get; set; }

    public int? RevisionHistoryLimit { get; set; }

    public bool? Paused { get; set; }

    public int? ProgressDeadlineSeconds { get; set; }
}

public sealed class DeploymentStrategy : KubeModel
{
    public string? Type { get; set; }

    public RollingUpdateDeployment? RollingUpdate { get; set; }
}

public sealed class RollingUpdateDeployment : KubeModel
{
    public IntOrString? MaxUnavailable { get; set; }

    public IntOrString? MaxSurge { get; set; }
}

[KubeResource("apps", "v1", "statefulsets", "StatefulSet", HasStatusSubresource = true)]
public sealed class StatefulSet : KubeObject
{
    public StatefulSetSpec? Spec { get; set; }

    public WorkloadStatus? Status { get; set; }
}

public sealed class StatefulSetSpec : KubeModel
{
    public int? Replicas { get; set; }

    public LabelSelector? Selector { get; set; }

    public PodTemplateSpec Template { get; set; } = new();

    public string? ServiceName { get; set; }

    public string? PodManagementPolicy { get; set; }
}

[KubeResource("apps", "v1", "daemonsets", "DaemonSet", HasStatusSubresource = true)]
public sealed class DaemonSet : KubeObject
{
    public DaemonSetSpec? Spec { get; set; }

    public WorkloadStatus? Status { get; set; }
}

public sealed class DaemonSetSpec : KubeModel
{
    public LabelSelector? Selector { get; set; }

    public PodTemplateSpec Template { get; set; } = new();

    public int? MinReadySeconds { get; set; }
}

[KubeResource("apps", "v1", "replicasets", "ReplicaSet", HasStatusSubresource = true)]
public sealed class ReplicaSet : KubeObject
{
    public ReplicaSetSpec? Spec { get; set; }

    public WorkloadStatus? Status { get; set; }
}

public sealed class ReplicaSetSpec : KubeModel
{
    public int? Replicas { get; set; }

    public LabelSelector? Selector { get; set; }

    public PodTemplateSpec? Template { get; set; }

    public int? MinReadySeconds { get; set; }
}

/// <summary>The replica counters shared by the apps/v1 workload statuses; the rest is kept untyped.</summary>
public sealed class WorkloadStatus : KubeModel
{
    public long? ObservedGeneration { get; set; }

    public int? Replicas { get; set; }

    public int? ReadyReplicas { get; set; }

    public int? AvailableReplicas { get; set; }

    public int? UpdatedReplicas { get; set; }
}
