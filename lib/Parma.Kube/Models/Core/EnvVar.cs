namespace Parma.Kube.Models;

public sealed class EnvVar : KubeModel
{
    public string Name { get; set; } = "";

    public string? Value { get; set; }

    public EnvVarSource? ValueFrom { get; set; }
}

public sealed class EnvVarSource : KubeModel
{
    public ConfigMapKeySelector? ConfigMapKeyRef { get; set; }

    public SecretKeySelector? SecretKeyRef { get; set; }

    public ObjectFieldSelector? FieldRef { get; set; }

    public ResourceFieldSelector? ResourceFieldRef { get; set; }
}

public sealed class ConfigMapKeySelector : KubeModel
{
    public string? Name { get; set; }

    public string Key { get; set; } = "";

    public bool? Optional { get; set; }
}

public sealed class SecretKeySelector : KubeModel
{
    public string? Name { get; set; }

    public string Key { get; set; } = "";

    public bool? Optional { get; set; }
}

public sealed class ObjectFieldSelector : KubeModel
{
    public string? ApiVersion { get; set; }

    public string FieldPath { get; set; } = "";
}

public sealed class ResourceFieldSelector : KubeModel
{
    public string? ContainerName { get; set; }

    public string Resource { get; set; } = "";

    public string? Divisor { get; set; }
}

public sealed class EnvFromSource : KubeModel
{
    public string? Prefix { get; set; }

    public ConfigMapEnvSource? ConfigMapRef { get; set; }

    public SecretEnvSource? SecretRef { get; set; }
}

public sealed class ConfigMapEnvSource : KubeModel
{
    public string? Name { get; set; }

    public bool? Optional { get; set; }
}

public sealed class SecretEnvSource : KubeModel
{
    public string? Name { get; set; }

    public bool? Optional { get; set; }
}
