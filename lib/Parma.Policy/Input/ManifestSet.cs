using System.Text;
using System.Text.Json.Nodes;

namespace Parma.Policy.Input;

/// <summary>
/// The parsed input: pod-producing workloads in document order, and the ConfigMaps and Secrets they
/// may reference for environment values.
/// </summary>
public sealed class ManifestSet
{
    private static readonly Dictionary<string, (PodNaming Naming, string[] TemplatePath)> WorkloadKinds = new(StringComparer.Ordinal)
    {
        ["Pod"] = (PodNaming.Exact, []),
        ["Deployment"] = (PodNaming.GeneratedSuffix, ["spec", "template"]),
        ["ReplicaSet"] = (PodNaming.GeneratedSuffix, ["spec", "template"]),
        ["ReplicationController"] = (PodNaming.GeneratedSuffix, ["spec", "template"]),
        ["DaemonSet"] = (PodNaming.GeneratedSuffix, ["spec", "template"]),
        ["Job"] = (PodNaming.GeneratedSuffix, ["spec", "template"]),
        ["StatefulSet"] = (PodNaming.Ordinal, ["spec", "template"]),
        ["CronJob"] = (PodNaming.CronJob, ["spec", "jobTemplate", "spec", "template"]),
        ["ConfidentialPodGroup"] = (PodNaming.GeneratedSuffix, ["spec", "template"]),
    };

    // Kinds that may sit beside workloads in a manifest and do not produce pods.
    private static readonly HashSet<string> PassiveKinds = new(StringComparer.Ordinal)
    {
        "ConfigMap", "Secret", "Service", "ServiceAccount", "Namespace", "PersistentVolumeClaim", "NetworkPolicy",
        "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "Ingress", "PodDisruptionBudget", "RuntimeClass",
        "LimitRange", "ResourceQuota", "HorizontalPodAutoscaler",
    };

    private readonly Dictionary<(string Namespace, string Name), IReadOnlyDictionary<string, string>> _configMaps = [];
    private readonly Dictionary<(string Namespace, string Name), IReadOnlyDictionary<string, string>> _secrets = [];

    private ManifestSet(IReadOnlyList<JsonNode> documents) => Documents = documents;

    public IReadOnlyList<JsonNode> Documents { get; }

    public List<Workload> Workloads { get; } = [];

    /// <summary>
    /// The primary input: Kubernetes objects as JSON (typed models serialize to this with KubernetesJson), each a
    /// workload, a ConfigMap or Secret, a List of those, or a kind that makes no pods.
    /// </summary>
    public static ManifestSet From(IEnumerable<JsonNode> documents, string sourceName, string defaultNamespace = "default")
    {
        var set = new ManifestSet([.. documents]);
        for (var i = 0; i < set.Documents.Count; i++)
        {
            set.Add(i, set.Documents[i], [], sourceName, defaultNamespace);
        }

        return set;
    }

    /// <summary>The text adapter (the CLI's input): multi-document YAML or JSON, read by <see cref="YamlDocuments"/>, then <see cref="From"/>.</summary>
    public static ManifestSet Parse(string yaml, string sourceName, string defaultNamespace = "default") =>
        From(YamlDocuments.Parse(yaml, sourceName), sourceName, defaultNamespace);

    /// <summary>Adds ConfigMaps and Secrets from other files (genpolicy's --config-file).</summary>
    public void AddReferencedResources(string yaml, string sourceName, string defaultNamespace = "default") =>
        AddReferencedResources(YamlDocuments.Parse(yaml, sourceName), defaultNamespace);

    /// <summary>Adds the ConfigMaps and Secrets among <paramref name="documents"/> (other kinds are ignored).</summary>
    public void AddReferencedResources(IEnumerable<JsonNode> documents, string defaultNamespace = "default")
    {
        foreach (var document in documents)
        {
            var kind = document.Str("kind");
            if (kind is "ConfigMap" or "Secret")
            {
                AddResource(kind, document, defaultNamespace);
            }
        }
    }

    public IReadOnlyDictionary<string, string>? ConfigMap(string ns, string name) => _configMaps.GetValueOrDefault((ns, name));

    public IReadOnlyDictionary<string, string>? Secret(string ns, string name) => _secrets.GetValueOrDefault((ns, name));

    private void Add(int index, JsonNode document, IReadOnlyList<string> path, string sourceName, string defaultNamespace)
    {
        var kind = document.Str("kind") ?? throw new PolicyInputException($"{sourceName}: document {index + 1} has no kind.");
        if (kind == "List")
        {
            var items = document.Arr("items").ToList();
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is { } item)
                {
                    Add(index, item, [.. path, "items", i.ToString(System.Globalization.CultureInfo.InvariantCulture)], sourceName, defaultNamespace);
                }
            }

            return;
        }

        if (kind is "ConfigMap" or "Secret")
        {
            AddResource(kind, document, defaultNamespace);
            return;
        }

        if (PassiveKinds.Contains(kind))
        {
            return;
        }

        if (!WorkloadKinds.TryGetValue(kind, out var shape))
        {
            throw new PolicyInputException(
                $"{sourceName}: document {index + 1}: kind '{kind}' does not describe pods; supported kinds: {string.Join(", ", WorkloadKinds.Keys.Order(StringComparer.Ordinal))}.");
        }

        var metadata = document.Obj("metadata");
        var name = metadata.Str("name") ?? metadata.Str("generateName")?.TrimEnd('-')
            ?? throw new PolicyInputException($"{sourceName}: document {index + 1}: {kind} has no metadata.name.");
        var ns = metadata.Str("namespace") ?? defaultNamespace;

        JsonNode? template = document;
        foreach (var step in shape.TemplatePath)
        {
            template = template.Obj(step);
        }

        if (template is not JsonObject templateObject || templateObject.Obj("spec") is null)
        {
            throw new PolicyInputException($"{sourceName}: {kind} {name}: no pod template at {string.Join('.', shape.TemplatePath)}.");
        }

        var naming = kind == "Pod" && metadata.Str("name") is null ? PodNaming.GeneratedSuffix : shape.Naming;
        var groupPolicy = kind == "ConfidentialPodGroup" ? document.Obj("spec").Obj("policy") : null;
        Workloads.Add(new Workload(index, kind, name, ns, naming, templateObject, groupPolicy, [.. path, .. shape.TemplatePath]));
    }

    private void AddResource(string kind, JsonNode document, string defaultNamespace)
    {
        var metadata = document.Obj("metadata");
        var key = (metadata.Str("namespace") ?? defaultNamespace, metadata.Str("name") ?? string.Empty);
        if (kind == "ConfigMap")
        {
            _configMaps[key] = document.StringMap("data");
            return;
        }

        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in document.StringMap("data"))
        {
            try
            {
                values[k] = Encoding.UTF8.GetString(Convert.FromBase64String(v));
            }
            catch (FormatException)
            {
                throw new PolicyInputException($"Secret {key.Item2}: data.{k} is not valid base64.");
            }
        }

        foreach (var (k, v) in document.StringMap("stringData"))
        {
            values[k] = v;
        }

        _secrets[key] = values;
    }
}
