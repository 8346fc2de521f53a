using Parma.Api;
using Parma.Policy.Output;

namespace Parma.Operator.Policy;

/// <summary>A group's generated policy and everything the pods and the status need from it.</summary>
internal sealed record GroupPolicy(
    string PolicyText,
    string Format,
    PolicyAnnotations Annotations,
    IReadOnlyDictionary<string, string> PinnedImages,
    IReadOnlyList<ImageStatus> Images,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Lower-case hex host_data: what HOST_DATA of every pod's attestation report must equal.</summary>
    public string HostData => Annotations.HostDataHex;

    public string PolicyHash => ParmaLabels.ShortHash(HostData);
}
