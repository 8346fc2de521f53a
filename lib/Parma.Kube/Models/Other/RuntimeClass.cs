using Parma.Kube.Resources;

namespace Parma.Kube.Models;

[KubeResource("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", Namespaced = false)]
public sealed class RuntimeClass : KubeObject
{
    public string Handler { get; set; } = "";

    public RuntimeClassOverhead? Overhead { get; set; }

    public RuntimeClassScheduling? Scheduling { get; set; }
}

public sealed class RuntimeClassOverhead : KubeModel
{
    public Dictionary<string, string>? PodFixed { get; set; }
}

public sealed class RuntimeClassScheduling : KubeModel
{
    public Dictionary<string, string>? NodeSelector { get; set; }

    public List<Toleration>? Tolerations { get; set; }
}
