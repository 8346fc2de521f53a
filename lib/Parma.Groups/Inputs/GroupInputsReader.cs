using System.Text.Json.Nodes;
using k8s.Models;
using Parma.Api;

namespace Parma.Groups.Inputs;

/// <summary>
/// Reads a policy's inputs in the pod's namespace through an <see cref="IGroupInputReader"/>: the
/// settingsRef overrides (a missing ConfigMap or key is an error: the policy would silently differ), the
/// ConfigMaps and Secrets the containers' env reads (missing ones are left out: the generator reports the
/// values it cannot pin), and the pull secrets (<see cref="PullSecretCredentials"/>).
/// </summary>
public sealed class GroupInputsReader(IGroupInputReader reader, PolicySettingsCatalog settings)
{
    public PolicySettingsCatalog Settings => settings;

    /// <param name="ns">The group's (pod's) namespace: every object is read there.</param>
    /// <param name="spec">The pod spec, or the group's template spec.</param>
    /// <param name="groupPolicy">The group's spec.policy; null for an opted-in pod.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="GroupInputException">The settings overrides or a pull secret cannot be used.</exception>
    public async Task<GroupInputs> ReadAsync(string ns, V1PodSpec? spec, GroupPolicySpec? groupPolicy, CancellationToken cancellationToken)
    {
        var (patch, source) = await SettingsPatchAsync(ns, groupPolicy, cancellationToken).ConfigureAwait(false);
        var policySettings = settings.With(patch, source);
        var manifests = await ReferencedManifestsAsync(ns, spec, cancellationToken).ConfigureAwait(false);
        var credentials = await PullSecretCredentials.ReadAsync(reader, ns, spec, groupPolicy, cancellationToken).ConfigureAwait(false);
        return new GroupInputs(policySettings, patch, manifests, credentials);
    }

    private async Task<(string? Patch, string Source)> SettingsPatchAsync(string ns, GroupPolicySpec? groupPolicy, CancellationToken cancellationToken)
    {
        if (groupPolicy?.SettingsRef is not { Name.Length: > 0 } reference)
        {
            return (null, "");
        }

        var key = reference.Key is { Length: > 0 } named ? named : ConfigMapKeyReference.DefaultKey;
        var source = $"ConfigMap {ns}/{reference.Name} key {key}";
        var configMap = await reader.GetConfigMapAsync(ns, reference.Name, cancellationToken).ConfigureAwait(false)
            ?? throw new GroupInputException(GroupConditions.Reasons.SettingsNotFound,
                $"spec.policy.settingsRef names ConfigMap {ns}/{reference.Name}, which does not exist; create it or remove settingsRef.");
        var patch = configMap.Data is { } data && data.TryGetValue(key, out var text) ? text : null;
        return patch is null
            ? throw new GroupInputException(GroupConditions.Reasons.SettingsNotFound,
                $"ConfigMap {ns}/{reference.Name} has no key '{key}' (spec.policy.settingsRef.key); add it or name the right key.")
            : (patch, source);
    }

    private async Task<IReadOnlyList<JsonObject>> ReferencedManifestsAsync(string ns, V1PodSpec? spec, CancellationToken cancellationToken)
    {
        var documents = new List<JsonObject>();
        foreach (var name in GroupReferences.EnvironmentConfigMaps(spec))
        {
            if (await reader.GetConfigMapAsync(ns, name, cancellationToken).ConfigureAwait(false) is { } configMap)
            {
                documents.Add(Document("ConfigMap", ns, name, configMap.Data ?? new Dictionary<string, string>()));
            }
        }

        foreach (var name in GroupReferences.EnvironmentSecrets(spec))
        {
            if (await reader.GetSecretAsync(ns, name, cancellationToken).ConfigureAwait(false) is { } secret)
            {
                documents.Add(Document("Secret", ns, name, (secret.Data ?? new Dictionary<string, byte[]>()).Select(p => KeyValuePair.Create(p.Key, Convert.ToBase64String(p.Value)))));
            }
        }

        return documents;
    }

    private static JsonObject Document(string kind, string ns, string name, IEnumerable<KeyValuePair<string, string>> data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = kind,
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["data"] = new JsonObject(data.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
    };
}
