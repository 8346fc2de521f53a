namespace Parma.Kube.Models;

/// <summary>A top-level API object: apiVersion, kind and metadata.</summary>
public abstract class KubeObject : KubeModel
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public ObjectMeta Metadata { get; set; } = new();
}
