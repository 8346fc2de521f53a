namespace Parma.Kube.Models;

public sealed class Container : KubeModel
{
    public string Name { get; set; } = "";

    public string? Image { get; set; }

    public string? ImagePullPolicy { get; set; }

    public List<string>? Command { get; set; }

    public List<string>? Args { get; set; }

    public string? WorkingDir { get; set; }

    public List<EnvVar>? Env { get; set; }

    public List<EnvFromSource>? EnvFrom { get; set; }

    public List<ContainerPort>? Ports { get; set; }

    public List<VolumeMount>? VolumeMounts { get; set; }

    public List<VolumeDevice>? VolumeDevices { get; set; }

    public ResourceRequirements? Resources { get; set; }

    public SecurityContext? SecurityContext { get; set; }

    public Probe? LivenessProbe { get; set; }

    public Probe? ReadinessProbe { get; set; }

    public Probe? StartupProbe { get; set; }

    public Lifecycle? Lifecycle { get; set; }

    public string? RestartPolicy { get; set; }

    public bool? Stdin { get; set; }

    public bool? StdinOnce { get; set; }

    public bool? Tty { get; set; }

    public string? TerminationMessagePath { get; set; }

    public string? TerminationMessagePolicy { get; set; }
}

public sealed class ContainerPort : KubeModel
{
    public string? Name { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("containerPort")]
    public int Port { get; set; }

    public int? HostPort { get; set; }

    public string? HostIP { get; set; }

    public string? Protocol { get; set; }
}

public sealed class ResourceRequirements : KubeModel
{
    public Dictionary<string, string>? Limits { get; set; }

    public Dictionary<string, string>? Requests { get; set; }
}

public sealed class VolumeMount : KubeModel
{
    public string Name { get; set; } = "";

    public string MountPath { get; set; } = "";

    public bool? ReadOnly { get; set; }

    public string? SubPath { get; set; }

    public string? SubPathExpr { get; set; }

    public string? MountPropagation { get; set; }

    public string? RecursiveReadOnly { get; set; }
}

public sealed class VolumeDevice : KubeModel
{
    public string Name { get; set; } = "";

    public string DevicePath { get; set; } = "";
}

public sealed class Lifecycle : KubeModel
{
    public LifecycleHandler? PostStart { get; set; }

    public LifecycleHandler? PreStop { get; set; }
}

public sealed class LifecycleHandler : KubeModel
{
    public ExecAction? Exec { get; set; }

    public HttpGetAction? HttpGet { get; set; }

    public TcpSocketAction? TcpSocket { get; set; }

    public SleepAction? Sleep { get; set; }
}

public sealed class SleepAction : KubeModel
{
    public long Seconds { get; set; }
}
