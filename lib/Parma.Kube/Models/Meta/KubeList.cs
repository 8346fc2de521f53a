namespace Parma.Kube.Models;

/// <summary>A list response (PodList, ConfigMapList, …): list metadata and the items.</summary>
public sealed class KubeList<T> : KubeModel
    where T : KubeObject
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public ListMeta Metadata { get; set; } = new();

    public List<T> Items { get; set; } = [];
}
