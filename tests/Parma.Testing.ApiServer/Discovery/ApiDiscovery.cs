using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Resources;

namespace Parma.Testing.ApiServer.Discovery;

/// <summary>
/// The discovery documents, built from the served resources on every request (CRDs come and go):
/// the legacy ones (/api, /apis, /apis/{group}, /api/v1 and /apis/{group}/{version}) and the aggregated
/// apidiscovery.k8s.io/v2 lists kubectl asks for first.
/// </summary>
public sealed class ApiDiscovery(ResourceCatalog catalog)
{
    /// <summary>The verbs every served resource supports here (no deletecollection).</summary>
    private static readonly string[] Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

    private static readonly string[] SubresourceVerbs = ["get", "patch", "update"];

    /// <summary>GET /api: the core group's versions.</summary>
    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    /// <summary>GET /apis: every named group with its versions, the preferred first.</summary>
    public JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. Groups().Where(g => g.Name.Length > 0).Select(g => (JsonNode)Group(g))]),
    };

    /// <summary>GET /apis/{group}; null when no version of the group is served.</summary>
    public JsonObject? Group(string name) =>
        Groups().FirstOrDefault(g => g.Name == name && name.Length > 0) is { Versions.Count: > 0 } group ? Group(group) : null;

    /// <summary>GET /api/v1 or /apis/{group}/{version}; null when that group/version is not served.</summary>
    public JsonObject? ResourceList(string group, string version)
    {
        var resources = Served(group, version);
        if (resources.Count == 0)
        {
            return null;
        }

        var list = new JsonArray();
        foreach (var resource in resources)
        {
            var entry = new JsonObject
            {
                ["name"] = resource.Plural,
                ["singularName"] = resource.Singular,
                ["namespaced"] = resource.Namespaced,
                ["kind"] = resource.Kind,
                ["verbs"] = Strings(Verbs),
            };
            if (resource.ShortNames.Count > 0)
            {
                entry["shortNames"] = Strings(resource.ShortNames);
            }

            if (resource.Categories.Count > 0)
            {
                entry["categories"] = Strings(resource.Categories);
            }

            list.Add(entry);
            foreach (var (subresource, kind) in Subresources(resource))
            {
                var sub = new JsonObject
                {
                    ["name"] = $"{resource.Plural}/{subresource}",
                    ["singularName"] = "",
                    ["namespaced"] = resource.Namespaced,
                };
                if (kind.Group != resource.Group || kind.Version != resource.Version)
                {
                    sub["group"] = kind.Group;
                    sub["version"] = kind.Version;
                }

                sub["kind"] = kind.Kind;
                sub["verbs"] = Strings(SubresourceVerbs);
                list.Add(sub);
            }
        }

        var answer = new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = GroupVersion(group, version) };
        answer["resources"] = list;
        return answer;
    }

    /// <summary>The aggregated document for /api (<paramref name="core"/>) or /apis: every group, version and resource at once.</summary>
    public JsonObject Aggregated(bool core)
    {
        var items = new JsonArray();
        foreach (var group in Groups().Where(g => (g.Name.Length == 0) == core))
        {
            var versions = new JsonArray();
            foreach (var version in group.Versions)
            {
                versions.Add(new JsonObject
                {
                    ["version"] = version,
                    ["resources"] = new JsonArray([.. Served(group.Name, version).Select(r => (JsonNode)AggregatedResource(r))]),
                    ["freshness"] = "Current",
                });
            }

            var metadata = new JsonObject();
            if (group.Name.Length > 0)
            {
                metadata["name"] = group.Name;
            }

            items.Add(new JsonObject { ["metadata"] = metadata, ["versions"] = versions });
        }

        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = "apidiscovery.k8s.io/v2",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    private static JsonObject AggregatedResource(ApiResource resource)
    {
        var entry = new JsonObject
        {
            ["resource"] = resource.Plural,
            ["responseKind"] = Gvk(resource.Group, resource.Version, resource.Kind),
            ["scope"] = resource.Namespaced ? "Namespaced" : "Cluster",
            ["singularResource"] = resource.Singular,
            ["verbs"] = Strings(Verbs),
        };
        if (resource.ShortNames.Count > 0)
        {
            entry["shortNames"] = Strings(resource.ShortNames);
        }

        if (resource.Categories.Count > 0)
        {
            entry["categories"] = Strings(resource.Categories);
        }

        var subresources = Subresources(resource).ToList();
        if (subresources.Count > 0)
        {
            entry["subresources"] = new JsonArray([.. subresources.Select(s => (JsonNode)new JsonObject
            {
                ["subresource"] = s.Name,
                ["responseKind"] = Gvk(s.Kind.Group, s.Kind.Version, s.Kind.Kind),
                ["verbs"] = Strings(SubresourceVerbs),
            })]);
        }

        return entry;
    }

    private static IEnumerable<(string Name, (string Group, string Version, string Kind) Kind)> Subresources(ApiResource resource)
    {
        if (resource.HasStatus)
        {
            yield return ("status", (resource.Group, resource.Version, resource.Kind));
        }

        if (resource.Scale is not null)
        {
            yield return ("scale", ("autoscaling", "v1", "Scale"));
        }
    }

    private static JsonObject Group((string Name, IReadOnlyList<string> Versions) group)
    {
        var versions = new JsonArray([.. group.Versions.Select(v => (JsonNode)VersionEntry(group.Name, v))]);
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group.Name,
            ["versions"] = versions,
            ["preferredVersion"] = VersionEntry(group.Name, group.Versions[0]),
        };
    }

    private static JsonObject VersionEntry(string group, string version) =>
        new() { ["groupVersion"] = GroupVersion(group, version), ["version"] = version };

    /// <summary>Groups in discovery order (the core group, the built-in groups, then custom groups by name), versions preferred first.</summary>
    private List<(string Name, IReadOnlyList<string> Versions)> Groups()
    {
        var builtinOrder = BuiltinResources.All.Select(r => r.Group).Distinct().ToList();
        return [.. catalog.All
            .GroupBy(r => r.Group)
            .OrderBy(g => builtinOrder.IndexOf(g.Key) is var i && i >= 0 ? i : int.MaxValue)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<string>)[.. g.Select(r => r.Version).Distinct().Order(VersionPriority.Instance)]))];
    }

    private List<ApiResource> Served(string group, string version) =>
        [.. catalog.All.Where(r => r.Group == group && r.Version == version).OrderBy(r => r.Plural, StringComparer.Ordinal)];

    private static string GroupVersion(string group, string version) => group.Length == 0 ? version : $"{group}/{version}";

    private static JsonObject Gvk(string group, string version, string kind) =>
        new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);
}
