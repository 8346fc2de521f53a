using System.Text.Json.Nodes;

namespace Parma.Policy.Input;

/// <summary>How the pods of a workload are named, which fixes the sandbox name the policy accepts.</summary>
public enum PodNaming
{
    /// <summary>A bare Pod with metadata.name.</summary>
    Exact,

    /// <summary>metadata.generateName or a controller that appends a random suffix.</summary>
    GeneratedSuffix,

    /// <summary>StatefulSet pods: name-ordinal.</summary>
    Ordinal,

    /// <summary>CronJob pods: name-schedule-suffix.</summary>
    CronJob,
}

/// <summary>One pod-producing object of the input (a Pod, a controller, or a ConfidentialPodGroup).</summary>
/// <param name="DocumentIndex">Position in the input documents, so that the manifest can be patched in place.</param>
/// <param name="Template">The pod template: an object with `metadata` and `spec`.</param>
/// <param name="GroupPolicy">For a ConfidentialPodGroup, its `spec.policy`.</param>
/// <param name="TemplatePath">Where the pod template sits in its document: mapping keys and, inside a List's items, sequence indexes.</param>
public sealed record Workload(
    int DocumentIndex,
    string Kind,
    string Name,
    string Namespace,
    PodNaming Naming,
    JsonObject Template,
    JsonObject? GroupPolicy,
    IReadOnlyList<string>? TemplatePath = null)
{
    public JsonObject Spec => Template.Obj("spec") ?? throw new PolicyInputException($"{Kind} {Name}: the pod template has no spec.");

    public JsonObject Metadata => Template.Obj("metadata") ?? [];
}
