using Parma.Kube.Models;
using Parma.Kube.Resources;

namespace Parma.Api;

/// <summary>
/// A group of containers run as confidential Kata pods on SEV-SNP nodes under one generated execution
/// policy; the operator keeps the policy, its host_data and the pods true to the spec.
/// </summary>
[KubeResource(ParmaApi.Group, ParmaApi.Version, ParmaApi.Plural, ParmaApi.Kind, HasStatusSubresource = true)]
public sealed class ConfidentialPodGroup : KubeObject
{
    public ConfidentialPodGroup()
    {
        ApiVersion = ParmaApi.ApiVersion;
        Kind = ParmaApi.Kind;
    }

    public ConfidentialPodGroupSpec Spec { get; set; } = new();

    public ConfidentialPodGroupStatus? Status { get; set; }
}
