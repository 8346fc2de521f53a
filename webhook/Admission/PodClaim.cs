using System.Text.Json.Nodes;
using Parma.Api;
using Parma.Policy.Output;

namespace Parma.Webhook.Admission;

/// <summary>What a pod says about itself: its group label, opt-in annotation and policy annotations.</summary>
public sealed record PodClaim(
    string? GroupName,
    bool OptedIn,
    string? HostData,
    string? AgentPolicy,
    string? InitData,
    string? PolicyHashLabel,
    string? RuntimeClassName)
{
    public static PodClaim Of(JsonObject pod)
    {
        var metadata = pod["metadata"] as JsonObject;
        var labels = metadata?["labels"] as JsonObject;
        var annotations = metadata?["annotations"] as JsonObject;
        return new PodClaim(
            Str(labels, ParmaLabels.Group),
            Str(annotations, ParmaLabels.GeneratePolicy) == "true",
            Str(annotations, PolicyAnnotations.HostDataKey),
            Str(annotations, PolicyAnnotations.AgentPolicyKey),
            Str(annotations, PolicyAnnotations.InitDataKey),
            Str(labels, ParmaLabels.PolicyHash),
            Str(pod["spec"] as JsonObject, "runtimeClassName"));
    }

    private static string? Str(JsonObject? map, string key) =>
        map?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
