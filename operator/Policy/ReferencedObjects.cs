using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Kube.Resources;

namespace Parma.Operator.Policy;

/// <summary>
/// What a group's policy depends on besides its spec and images, read from the API: the ConfigMaps and
/// Secrets its containers take environment values from, its settings overrides, and its pull secrets.
/// </summary>
internal sealed record ReferencedObjects(
    string ManifestsYaml,
    string? SettingsPatch,
    string? SettingsSource,
    IReadOnlyList<string> DockerConfigPayloads)
{
    public static async Task<ReferencedObjects> ReadAsync(IKubernetes client, ConfidentialPodGroup group, CancellationToken cancellationToken)
    {
        var ns = group.Metadata.NamespaceProperty ?? "default";
        var configMaps = client.Resource<V1ConfigMap>();
        var secrets = client.Resource<V1Secret>();
        var configMapNames = GroupReferences.EnvironmentConfigMaps(group).Order(StringComparer.Ordinal);
        var secretNames = GroupReferences.EnvironmentSecrets(group).Order(StringComparer.Ordinal);

        var documents = new StringBuilder();
        foreach (var name in configMapNames)
        {
            if (await configMaps.GetOrDefaultAsync(name, ns, cancellationToken).ConfigureAwait(false) is { } configMap)
            {
                AppendDocument(documents, "ConfigMap", ns, name, new JsonObject { ["data"] = ToJson(configMap.Data ?? new Dictionary<string, string>()) });
            }
        }

        foreach (var name in secretNames)
        {
            if (await secrets.GetOrDefaultAsync(name, ns, cancellationToken).ConfigureAwait(false) is { } secret)
            {
                var data = (secret.Data ?? new Dictionary<string, byte[]>()).ToDictionary(p => p.Key, p => Convert.ToBase64String(p.Value), StringComparer.Ordinal);
                AppendDocument(documents, "Secret", ns, name, new JsonObject { ["data"] = ToJson(data) });
            }
        }

        string? settingsPatch = null;
        string? settingsSource = null;
        if (group.Spec.Policy?.SettingsRef is { } settingsRef)
        {
            var key = settingsRef.Key ?? ConfigMapKeyReference.DefaultKey;
            settingsSource = $"ConfigMap {ns}/{settingsRef.Name} key {key}";
            var configMap = await configMaps.GetOrDefaultAsync(settingsRef.Name, ns, cancellationToken).ConfigureAwait(false)
                ?? throw new GroupPolicyException(
                    GroupConditions.Reasons.SettingsNotFound,
                    $"spec.policy.settingsRef names ConfigMap {ns}/{settingsRef.Name}, which does not exist; create it or remove settingsRef.",
                    retry: false);
            settingsPatch = (configMap.Data is { } settingsData && settingsData.TryGetValue(key, out var patchText) ? patchText : null)
                ?? throw new GroupPolicyException(
                    GroupConditions.Reasons.SettingsNotFound,
                    $"ConfigMap {ns}/{settingsRef.Name} has no key '{key}' (spec.policy.settingsRef.key); add it or name the right key.",
                    retry: false);
        }

        var payloads = new List<string>();
        foreach (var name in GroupReferences.PullSecrets(group))
        {
            // Like the kubelet, a missing pull secret is not an error: the registry may not need it.
            var secret = await secrets.GetOrDefaultAsync(name, ns, cancellationToken).ConfigureAwait(false);
            if (secret?.Data is { } data
                && (data.TryGetValue(".dockerconfigjson", out var payload) || data.TryGetValue(".dockercfg", out payload)))
            {
                payloads.Add(Convert.ToBase64String(payload));
            }
        }

        return new ReferencedObjects(documents.ToString(), settingsPatch, settingsSource, payloads);
    }

    private static JsonObject ToJson(IEnumerable<KeyValuePair<string, string>> map) =>
        new(map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));

    private static void AppendDocument(StringBuilder documents, string kind, string ns, string name, JsonObject body)
    {
        var document = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            document[key] = value;
        }

        documents.Append("---\n").Append(document.ToJsonString(new JsonSerializerOptions { WriteIndented = false })).Append('\n');
    }
}
