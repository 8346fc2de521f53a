using System.Collections.Concurrent;
using Parma.Testing.ApiServer.Validation;

namespace Parma.Testing.ApiServer.Resources;

/// <summary>The resources the server serves: the built-ins, plus custom resources as CRDs are registered.</summary>
public sealed class ResourceCatalog
{
    private readonly ConcurrentDictionary<(string Group, string Version, string Plural), ApiResource> _served = new();

    public ResourceCatalog(OpenApiDocuments? documents)
    {
        foreach (var builtin in BuiltinResources.All)
        {
            Add(builtin with { Schema = documents?.Find(builtin.Group, builtin.Version, builtin.Kind) });
        }
    }

    public IEnumerable<ApiResource> All => _served.Values;

    public void Add(ApiResource resource) => _served[(resource.Group, resource.Version, resource.Plural)] = resource;

    public void RemoveGroupResource(string group, string plural)
    {
        foreach (var key in _served.Keys.Where(k => k.Group == group && k.Plural == plural).ToList())
        {
            _served.TryRemove(key, out _);
        }
    }

    public ApiResource? Find(string group, string version, string plural) =>
        _served.TryGetValue((group, version, plural), out var resource) ? resource : null;

    /// <summary>Any served version of a kind (for ownerReference lookups, which name apiVersion + kind).</summary>
    public ApiResource? FindKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        return _served.Values.FirstOrDefault(r => r.Group == group && r.Version == version && r.Kind == kind);
    }
}

public static class BuiltinResources
{
    // Short names and categories as kube-apiserver's discovery reports them.
    public static IReadOnlyList<ApiResource> All { get; } =
    [
        new("", "v1", "pods", "Pod", true) { HasStatus = true, DeleteReturnsObject = true, ShortNames = ["po"], Categories = ["all"] },
        new("", "v1", "configmaps", "ConfigMap", true) { ShortNames = ["cm"] },
        new("", "v1", "secrets", "Secret", true),
        new("", "v1", "namespaces", "Namespace", false) { HasStatus = true, ShortNames = ["ns"] },
        new("", "v1", "services", "Service", true) { HasStatus = true, ShortNames = ["svc"], Categories = ["all"] },
        new("", "v1", "serviceaccounts", "ServiceAccount", true) { ShortNames = ["sa"] },
        new("", "v1", "events", "Event", true) { ShortNames = ["ev"] },
        new("apps", "v1", "deployments", "Deployment", true) { HasStatus = true, TracksGeneration = true, ShortNames = ["deploy"], Categories = ["all"] },
        new("apps", "v1", "statefulsets", "StatefulSet", true) { HasStatus = true, TracksGeneration = true, ShortNames = ["sts"], Categories = ["all"] },
        new("apps", "v1", "daemonsets", "DaemonSet", true) { HasStatus = true, TracksGeneration = true, ShortNames = ["ds"], Categories = ["all"] },
        new("apps", "v1", "replicasets", "ReplicaSet", true) { HasStatus = true, TracksGeneration = true, ShortNames = ["rs"], Categories = ["all"] },
        new("batch", "v1", "jobs", "Job", true) { HasStatus = true, TracksGeneration = true, Categories = ["all"] },
        new("batch", "v1", "cronjobs", "CronJob", true) { HasStatus = true, TracksGeneration = true, ShortNames = ["cj"], Categories = ["all"] },
        new("events.k8s.io", "v1", "events", "Event", true) { ShortNames = ["ev"] },
        new("coordination.k8s.io", "v1", "leases", "Lease", true),
        new("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", false),
        new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true) { HasStatus = true, TracksGeneration = true, ShortNames = ["pdb"] },
        new("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true),
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false),
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false),
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false)
        {
            HasStatus = true, TracksGeneration = true, ShortNames = ["crd", "crds"], Categories = ["api-extensions"],
        },
        new("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false)
        {
            TracksGeneration = true, Categories = ["api-extensions"],
        },
        new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false)
        {
            TracksGeneration = true, Categories = ["api-extensions"],
        },
    ];
}
