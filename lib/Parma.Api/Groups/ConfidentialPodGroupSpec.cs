using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using k8s.Models;

namespace Parma.Api;

public sealed class ConfidentialPodGroupSpec
{
    [Description("Number of pods to run. Defaults to 1.")]
    [Range(0, int.MaxValue)]
    [DefaultValue(1)]
    public int? Replicas { get; set; }

    [Required]
    [Description("The pods' template. Images are pinned by digest and the policy annotations added when pods are created.")]
    public V1PodTemplateSpec Template { get; set; } = new();

    [Description("RuntimeClass of the pods; defaults to the operator's setting (e.g. kata-qemu-snp). Must be one the operator's settings allow.")]
    [RegularExpression(Patterns.Dns1123Subdomain)]
    [MaxLength(253)]
    public string? RuntimeClassName { get; set; }

    [Description("Node labels the SNP node pool carries; merged over the template's nodeSelector.")]
    public Dictionary<string, string>? NodeSelector { get; set; }

    [Description("Tolerations for the SNP node pool's taints; appended to the template's.")]
    public List<V1Toleration>? Tolerations { get; set; }

    [Description("How the execution policy is generated.")]
    public GroupPolicySpec? Policy { get; set; }

    [Description("How pods are replaced when the policy changes. Pods are never patched in place: a running UVM's policy cannot change.")]
    public GroupUpdateStrategy? UpdateStrategy { get; set; }
}
