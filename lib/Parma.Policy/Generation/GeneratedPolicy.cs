using System.Text.Json.Nodes;
using Parma.Policy.Input;
using Parma.Policy.Output;

namespace Parma.Policy.Generation;

/// <summary>One container as the summary shows it.</summary>
public sealed record ContainerSummary(string Name, string Role, string Image, int Layers);

/// <summary>The policy generated for one workload, with its annotations and host_data.</summary>
public sealed record GeneratedPolicy(
    Workload Workload,
    string PolicyText,
    JsonObject PolicyData,
    PolicyFormat Format,
    PolicyAnnotations Annotations,
    IReadOnlyList<ContainerSummary> Containers,
    IReadOnlyList<string> Warnings)
{
    public string HostDataHex => Annotations.HostDataHex;
}
