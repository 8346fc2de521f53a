using System.Text.Json.Serialization;
using Parma.Kube.Serialization;

namespace Parma.Kube.Models;

public sealed class ObjectMeta : KubeModel
{
    public string? Name { get; set; }

    public string? GenerateName { get; set; }

    public string? Namespace { get; set; }

    public string? Uid { get; set; }

    public string? ResourceVersion { get; set; }

    public long? Generation { get; set; }

    [JsonConverter(typeof(KubeTimeConverter))]
    public DateTimeOffset? CreationTimestamp { get; set; }

    [JsonConverter(typeof(KubeTimeConverter))]
    public DateTimeOffset? DeletionTimestamp { get; set; }

    public long? DeletionGracePeriodSeconds { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }

    public List<OwnerReference>? OwnerReferences { get; set; }

    public List<string>? Finalizers { get; set; }

    public List<ManagedFieldsEntry>? ManagedFields { get; set; }
}

public sealed class OwnerReference : KubeModel
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public string Name { get; set; } = "";

    public string Uid { get; set; } = "";

    public bool? Controller { get; set; }

    public bool? BlockOwnerDeletion { get; set; }
}

/// <summary>Server-side apply bookkeeping; carried through unchanged.</summary>
public sealed class ManagedFieldsEntry : KubeModel
{
    public string? Manager { get; set; }

    public string? Operation { get; set; }

    public string? ApiVersion { get; set; }

    public string? Time { get; set; }

    public string? FieldsType { get; set; }

    public System.Text.Json.JsonElement? FieldsV1 { get; set; }

    public string? Subresource { get; set; }
}

public sealed class ListMeta : KubeModel
{
    public string? ResourceVersion { get; set; }

    [JsonPropertyName("continue")]
    public string? Continue { get; set; }

    public long? RemainingItemCount { get; set; }
}

public sealed class LabelSelector : KubeModel
{
    public Dictionary<string, string>? MatchLabels { get; set; }

    public List<LabelSelectorRequirement>? MatchExpressions { get; set; }
}

public sealed class LabelSelectorRequirement : KubeModel
{
    public string Key { get; set; } = "";

    [JsonPropertyName("operator")]
    public string Operator { get; set; } = "";

    public List<string>? Values { get; set; }
}
