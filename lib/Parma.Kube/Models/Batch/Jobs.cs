using Parma.Kube.Resources;

namespace Parma.Kube.Models;

[KubeResource("batch", "v1", "jobs", "Job", HasStatusSubresource = true)]
public sealed class Job : KubeObject
{
    public JobSpec? Spec { get; set; }

    public JobStatus? Status { get; set; }
}

public sealed class JobSpec : KubeModel
{
    public PodTemplateSpec Template { get; set; } = new();

    public int? Parallelism { get; set; }

    public int? Completions { get; set; }

    public int? BackoffLimit { get; set; }

    public long? ActiveDeadlineSeconds { get; set; }

    public int? TtlSecondsAfterFinished { get; set; }

    public LabelSelector? Selector { get; set; }

    public bool? ManualSelector { get; set; }

    public bool? Suspend { get; set; }
}

public sealed class JobStatus : KubeModel
{
    public int? Active { get; set; }

    public int? Succeeded { get; set; }

    public int? Failed { get; set; }
}

[KubeResource("batch", "v1", "cronjobs", "CronJob", HasStatusSubresource = true)]
public sealed class CronJob : KubeObject
{
    public CronJobSpec? Spec { get; set; }

    public CronJobStatus? Status { get; set; }
}

public sealed class CronJobSpec : KubeModel
{
    public string Schedule { get; set; } = "";

    public string? TimeZone { get; set; }

    public string? ConcurrencyPolicy { get; set; }

    public bool? Suspend { get; set; }

    public JobTemplateSpec JobTemplate { get; set; } = new();

    public int? SuccessfulJobsHistoryLimit { get; set; }

    public int? FailedJobsHistoryLimit { get; set; }
}

public sealed class JobTemplateSpec : KubeModel
{
    public ObjectMeta? Metadata { get; set; }

    public JobSpec? Spec { get; set; }
}

public sealed class CronJobStatus : KubeModel
{
    public string? LastScheduleTime { get; set; }

    public string? LastSuccessfulTime { get; set; }
}
