using System.Text.Json.Nodes;
using Parma.Groups.Pods;
using Parma.Api;
using Parma.Policy.Output;

namespace Parma.Webhook.Admission;

/// <summary>What a pod says about itself: its group label, opt-in annotation and policy annotations.</summary>
/// <param name="AgentPolicyValue">The policy annotation as the review's JSON string (compare with <see cref="JsonText"/>; reading it as a string costs ~140 KiB).</param>
/// <param name="InitDataValue">The initdata annotation, likewise.</param>
public sealed record PodClaim(
    string? GroupName,
    bool OptedIn,
    string? HostData,
    JsonValue? AgentPolicyValue,
    JsonValue? InitDataValue,
    string? PolicyHashLabel,
    string? RuntimeClassName)
{
    /// <summary>The policy annotation's text (materialized on each read).</summary>
    public string? AgentPolicy => AgentPolicyValue?.GetValue<string>();

    public static PodClaim Of(JsonObject pod)
    {
        var metadata = pod["metadata"] as JsonObject;
        var labels = metadata?["labels"] as JsonObject;
        var annotations = metadata?["annotations"] as JsonObject;
        return new PodClaim(
            Str(labels, ParmaLabels.Group),
            Str(annotations, ParmaLabels.GeneratePolicy) == "true",
            Str(annotations, PolicyAnnotations.HostDataKey),
            JsonText.StringOrNull(annotations?[PolicyAnnotations.AgentPolicyKey]),
            JsonText.StringOrNull(annotations?[PolicyAnnotations.InitDataKey]),
            Str(labels, ParmaLabels.PolicyHash),
            Str(pod["spec"] as JsonObject, "runtimeClassName"));
    }

    private static string? Str(JsonObject? map, string key) =>
        map?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
