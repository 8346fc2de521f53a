namespace Parma.Kube.Models;

/// <summary>A pod volume; the common sources are typed, the rest are kept in AdditionalProperties.</summary>
public sealed class Volume : KubeModel
{
    public string Name { get; set; } = "";

    public EmptyDirVolumeSource? EmptyDir { get; set; }

    public ConfigMapVolumeSource? ConfigMap { get; set; }

    public SecretVolumeSource? Secret { get; set; }

    public HostPathVolumeSource? HostPath { get; set; }

    public PersistentVolumeClaimVolumeSource? PersistentVolumeClaim { get; set; }

    public ProjectedVolumeSource? Projected { get; set; }

    public DownwardApiVolumeSource? DownwardAPI { get; set; }
}

public sealed class EmptyDirVolumeSource : KubeModel
{
    public string? Medium { get; set; }

    public string? SizeLimit { get; set; }
}

public sealed class KeyToPath : KubeModel
{
    public string Key { get; set; } = "";

    public string Path { get; set; } = "";

    public int? Mode { get; set; }
}

public sealed class ConfigMapVolumeSource : KubeModel
{
    public string? Name { get; set; }

    public List<KeyToPath>? Items { get; set; }

    public int? DefaultMode { get; set; }

    public bool? Optional { get; set; }
}

public sealed class SecretVolumeSource : KubeModel
{
    public string? SecretName { get; set; }

    public List<KeyToPath>? Items { get; set; }

    public int? DefaultMode { get; set; }

    public bool? Optional { get; set; }
}

public sealed class HostPathVolumeSource : KubeModel
{
    public string Path { get; set; } = "";

    public string? Type { get; set; }
}

public sealed class PersistentVolumeClaimVolumeSource : KubeModel
{
    public string ClaimName { get; set; } = "";

    public bool? ReadOnly { get; set; }
}

public sealed class ProjectedVolumeSource : KubeModel
{
    public List<VolumeProjection>? Sources { get; set; }

    public int? DefaultMode { get; set; }
}

public sealed class VolumeProjection : KubeModel
{
    public ConfigMapVolumeSource? ConfigMap { get; set; }

    public SecretVolumeSource? Secret { get; set; }

    public DownwardApiVolumeSource? DownwardAPI { get; set; }

    public ServiceAccountTokenProjection? ServiceAccountToken { get; set; }
}

public sealed class ServiceAccountTokenProjection : KubeModel
{
    public string? Audience { get; set; }

    public long? ExpirationSeconds { get; set; }

    public string Path { get; set; } = "";
}

public sealed class DownwardApiVolumeSource : KubeModel
{
    public List<DownwardApiVolumeFile>? Items { get; set; }

    public int? DefaultMode { get; set; }
}

public sealed class DownwardApiVolumeFile : KubeModel
{
    public string Path { get; set; } = "";

    public ObjectFieldSelector? FieldRef { get; set; }

    public ResourceFieldSelector? ResourceFieldRef { get; set; }

    public int? Mode { get; set; }
}
