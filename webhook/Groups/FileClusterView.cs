using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Policy.Input;

namespace Parma.Webhook.Groups;

/// <summary>
/// DEVELOPMENT AND BENCHMARKS ONLY (--group-file): ConfidentialPodGroups (with status), ConfigMaps,
/// Secrets, ServiceAccounts and Namespaces read once from a multi-document YAML or JSON file, standing in for the API server.
/// </summary>
public sealed class FileClusterView : IClusterView
{
    private readonly Dictionary<(string, string), ConfidentialPodGroup> _groups = [];
    private readonly Dictionary<(string, string), V1ConfigMap> _configMaps = [];
    private readonly Dictionary<(string, string), V1Secret> _secrets = [];
    private readonly Dictionary<(string, string), V1ServiceAccount> _serviceAccounts = [];
    private readonly Dictionary<string, V1Namespace> _namespaces = new(StringComparer.Ordinal);

    public FileClusterView(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WebhookStartupException($"--group-file {path}: {e.Message}", e);
        }

        try
        {
            foreach (var document in YamlDocuments.Parse(text, path))
            {
                Add(document, path);
            }
        }
        catch (Exception e) when (e is PolicyInputException or JsonException)
        {
            throw new WebhookStartupException($"--group-file {path}: {e.Message}", e);
        }
    }

    public bool IsSynced => true;

    public Task<ConfidentialPodGroup?> GetGroupAsync(string ns, string name, bool live, CancellationToken cancellationToken) =>
        Task.FromResult(_groups.GetValueOrDefault((ns, name)));

    public IReadOnlyList<string> NamespacesWithGroup(string name) =>
        [.. _groups.Keys.Where(k => k.Item2 == name).Select(k => k.Item1).Order(StringComparer.Ordinal)];

    public Task<V1ConfigMap?> GetConfigMapAsync(string ns, string name, bool live, CancellationToken cancellationToken) =>
        Task.FromResult(_configMaps.GetValueOrDefault((ns, name)));

    public Task<V1Secret?> GetSecretAsync(string ns, string name, CancellationToken cancellationToken) =>
        Task.FromResult(_secrets.GetValueOrDefault((ns, name)));

    public Task<V1ServiceAccount?> GetServiceAccountAsync(string ns, string name, CancellationToken cancellationToken) =>
        Task.FromResult(_serviceAccounts.GetValueOrDefault((ns, name)));

    public Task<V1Namespace?> GetNamespaceAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(_namespaces.GetValueOrDefault(name));

    private void Add(JsonNode document, string path)
    {
        var kind = (document["kind"] as JsonValue)?.GetValue<string>();
        switch (kind)
        {
            case ParmaApi.Kind:
                var group = Read<ConfidentialPodGroup>(document);
                _groups[(group.Metadata.NamespaceProperty ?? "default", group.Metadata.Name ?? "")] = group;
                break;
            case "ConfigMap":
                var configMap = Read<V1ConfigMap>(document);
                _configMaps[(configMap.Metadata.NamespaceProperty ?? "default", configMap.Metadata.Name ?? "")] = configMap;
                break;
            case "Secret":
                var secret = Read<V1Secret>(document);
                _secrets[(secret.Metadata.NamespaceProperty ?? "default", secret.Metadata.Name ?? "")] = secret;
                break;
            case "ServiceAccount":
                var serviceAccount = Read<V1ServiceAccount>(document);
                _serviceAccounts[(serviceAccount.Metadata.NamespaceProperty ?? "default", serviceAccount.Metadata.Name ?? "")] = serviceAccount;
                break;
            case "Namespace":
                var ns = Read<V1Namespace>(document);
                _namespaces[ns.Metadata.Name ?? ""] = ns;
                break;
            default:
                throw new WebhookStartupException($"--group-file {path}: kind '{kind}' is not ConfidentialPodGroup, ConfigMap, Secret, ServiceAccount or Namespace");
        }
    }

    private static T Read<T>(JsonNode document)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var value = KubernetesJson.Deserialize<T>(document) ?? throw new JsonException($"a {typeof(T).Name} document is null");
        value.Metadata ??= new V1ObjectMeta();
        value.Metadata.NamespaceProperty ??= value is V1Namespace ? null : "default";
        value.Metadata.Uid ??= $"file/{value.Metadata.NamespaceProperty}/{value.Metadata.Name}";
        value.Metadata.ResourceVersion ??= "1";
        return value;
    }
}
