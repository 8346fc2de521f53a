using k8s.Models;

namespace Parma.Api;

public sealed class ConfidentialPodGroupStatus
{
    public long? ObservedGeneration { get; set; }

    /// <summary>SHA-256 of the current policy, lower-case hex: what HOST_DATA of every pod's report must equal.</summary>
    [System.ComponentModel.DataAnnotations.RegularExpression(Patterns.HostDataHex)]
    public string? HostData { get; set; }

    /// <summary>The first 12 hex digits of hostData: the value of the pods' parma.dev/policy-hash label.</summary>
    public string? PolicyHash { get; set; }

    public PolicyReference? PolicyRef { get; set; }

    public List<ImageStatus>? Images { get; set; }

    public int? Replicas { get; set; }

    public int? ReadyReplicas { get; set; }

    public int? UpdatedReplicas { get; set; }

    /// <summary>Label selector of the group's pods in string form (the scale subresource's labelSelectorPath).</summary>
    public string? Selector { get; set; }

    public List<V1Condition>? Conditions { get; set; }
}

public sealed class PolicyReference
{
    /// <summary>ConfigMap in the group's namespace.</summary>
    public string Name { get; set; } = "";

    /// <summary>Key holding the Rego text.</summary>
    public string Key { get; set; } = "";

    /// <summary>The policy format pods are stamped with (agent-policy or initdata).</summary>
    public string? Format { get; set; }
}

public sealed class ImageStatus
{
    /// <summary>The reference as the template names it.</summary>
    public string Reference { get; set; } = "";

    /// <summary>Manifest digest the reference resolved to (sha256:…).</summary>
    public string Digest { get; set; } = "";

    /// <summary>The reference pinned by digest, as the pods run it.</summary>
    public string Pinned { get; set; } = "";

    /// <summary>Per layer, bottom-most first: diff ID and dm-verity root hash.</summary>
    public List<LayerStatus>? Layers { get; set; }
}

public sealed class LayerStatus
{
    public string DiffId { get; set; } = "";

    public string RootHash { get; set; } = "";
}
