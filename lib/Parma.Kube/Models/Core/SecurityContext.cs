namespace Parma.Kube.Models;

public sealed class SecurityContext : KubeModel
{
    public bool? Privileged { get; set; }

    public bool? AllowPrivilegeEscalation { get; set; }

    public bool? ReadOnlyRootFilesystem { get; set; }

    public long? RunAsUser { get; set; }

    public long? RunAsGroup { get; set; }

    public bool? RunAsNonRoot { get; set; }

    public Capabilities? Capabilities { get; set; }

    public SeLinuxOptions? SeLinuxOptions { get; set; }

    public SeccompProfile? SeccompProfile { get; set; }

    public string? ProcMount { get; set; }
}

public sealed class PodSecurityContext : KubeModel
{
    public long? RunAsUser { get; set; }

    public long? RunAsGroup { get; set; }

    public bool? RunAsNonRoot { get; set; }

    public long? FsGroup { get; set; }

    public string? FsGroupChangePolicy { get; set; }

    public List<long>? SupplementalGroups { get; set; }

    public List<Sysctl>? Sysctls { get; set; }

    public SeLinuxOptions? SeLinuxOptions { get; set; }

    public SeccompProfile? SeccompProfile { get; set; }
}

public sealed class Capabilities : KubeModel
{
    public List<string>? Add { get; set; }

    public List<string>? Drop { get; set; }
}

public sealed class SeLinuxOptions : KubeModel
{
    public string? User { get; set; }

    public string? Role { get; set; }

    public string? Type { get; set; }

    public string? Level { get; set; }
}

public sealed class SeccompProfile : KubeModel
{
    public string Type { get; set; } = "";

    public string? LocalhostProfile { get; set; }
}

public sealed class Sysctl : KubeModel
{
    public string Name { get; set; } = "";

    public string Value { get; set; } = "";
}
