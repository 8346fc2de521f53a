using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Parma.Api;

/// <summary>
/// A group of containers run as confidential Kata pods on SEV-SNP nodes under one generated execution
/// policy; the operator keeps the policy, its host_data and the pods true to the spec.
/// </summary>
[KubernetesEntity(Group = ParmaApi.Group, ApiVersion = ParmaApi.Version, Kind = ParmaApi.Kind, PluralName = ParmaApi.Plural)]
public sealed class ConfidentialPodGroup
    : IKubernetesObject<V1ObjectMeta>, ISpec<ConfidentialPodGroupSpec>, IStatus<ConfidentialPodGroupStatus?>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ParmaApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = ParmaApi.Kind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ConfidentialPodGroupSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public ConfidentialPodGroupStatus? Status { get; set; }
}

/// <summary>A page of groups as the API lists them.</summary>
[KubernetesEntity(Group = ParmaApi.Group, ApiVersion = ParmaApi.Version, Kind = ParmaApi.ListKind, PluralName = ParmaApi.Plural)]
public sealed class ConfidentialPodGroupList : IKubernetesObject<V1ListMeta>, IItems<ConfidentialPodGroup>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ParmaApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = ParmaApi.ListKind;

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<ConfidentialPodGroup> Items { get; set; } = [];
}
