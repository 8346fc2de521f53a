using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using YamlDotNet.Serialization;

namespace Parma.Policy.Output;

/// <summary>
/// Stamps generated annotations into the pod templates of the input manifests and writes them back
/// as YAML (like genpolicy's -y). Comments of the original file are not kept.
/// </summary>
public static class ManifestPatcher
{
    public static string Patch(ManifestSet manifests, IEnumerable<GeneratedPolicy> policies)
    {
        foreach (var policy in policies)
        {
            var metadata = policy.Workload.Template["metadata"] as JsonObject ?? new JsonObject();
            policy.Workload.Template["metadata"] = metadata;
            var annotations = metadata["annotations"] as JsonObject ?? new JsonObject();
            metadata["annotations"] = annotations;
            annotations.Remove(PolicyAnnotations.AgentPolicyKey);
            annotations.Remove(PolicyAnnotations.InitDataKey);
            foreach (var (key, value) in policy.Annotations.ToDictionary())
            {
                annotations[key] = value;
            }
        }

        var serializer = new SerializerBuilder().WithQuotingNecessaryStrings().DisableAliases().Build();
        return string.Join("---\n", manifests.Documents.Select(d => serializer.Serialize(ToPlain(d))));
    }

    private static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => ToPlain(p.Value)),
        JsonArray a => a.Select(ToPlain).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when long.TryParse(v.ToJsonString(), out var l) => l,
            JsonValueKind.Number => v.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };
}
