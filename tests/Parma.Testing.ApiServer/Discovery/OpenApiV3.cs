using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Storage;
using Parma.Testing.ApiServer.Validation;

namespace Parma.Testing.ApiServer.Discovery;

/// <summary>
/// /openapi/v3: the index of group/version documents and the documents themselves. Built-in groups get the
/// official documents the server validates with (../shared/k8s-openapi); each custom group/version gets one
/// built from its CRDs, as kube-apiserver does, so that kubectl finds the fieldValidation parameter on
/// the PATCH operation and leaves validation to the server.
/// </summary>
public sealed class OpenApiV3(ResourceCatalog catalog, OpenApiDocuments? documents)
{
    private const string MetaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1.";

    /// <summary>Where the apimachinery schemas (ObjectMeta, ListMeta, Status, …) are copied from into CRD documents.</summary>
    private const string MetaSource = "apis/apiextensions.k8s.io/v1";

    private readonly Lazy<JsonObject?> _metaSchemas = new(() => MetaSchemas(documents));

    /// <summary>GET /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}.</summary>
    public JsonObject Index()
    {
        var paths = new JsonObject();
        foreach (var path in Paths().Order(StringComparer.Ordinal))
        {
            var hash = Convert.ToHexString(SHA512.HashData(Document(path)!));
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={hash}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The document for "api/v1" or "apis/{group}/{version}"; null when none is served.</summary>
    public byte[]? Document(string path)
    {
        if (documents?.Published.TryGetValue(path, out var published) == true && catalog.All.Any(r => Path(r) == path))
        {
            return published;
        }

        var custom = catalog.All.Where(r => r.IsCustom && Path(r) == path).OrderBy(r => r.Plural, StringComparer.Ordinal).ToList();
        return custom.Count == 0 ? null : Encoding.UTF8.GetBytes(CustomDocument(custom).ToJsonString());
    }

    private IEnumerable<string> Paths() => catalog.All
        .Where(r => r.IsCustom || documents?.Published.ContainsKey(Path(r)) == true)
        .Select(Path)
        .Distinct();

    private static string Path(ApiResource resource) => resource.Group.Length == 0 ? $"api/{resource.Version}" : $"apis/{resource.Group}/{resource.Version}";

    private JsonObject CustomDocument(IReadOnlyList<ApiResource> resources)
    {
        var paths = new JsonObject();
        var schemas = _metaSchemas.Value?.DeepClone().AsObject() ?? [];
        foreach (var resource in resources)
        {
            var name = SchemaName(resource, resource.Kind);
            schemas[name] = ResourceSchema(resource, _metaSchemas.Value is not null);
            schemas[name + "List"] = ListSchema(resource, name);
            var gvk = new JsonObject { ["group"] = resource.Group, ["version"] = resource.Version, ["kind"] = resource.Kind };
            var scope = resource.Namespaced ? "/namespaces/{namespace}" : "";
            var collection = $"/apis/{resource.Group}/{resource.Version}{scope}/{resource.Plural}";
            paths[collection] = new JsonObject
            {
                ["get"] = Operation("list", resource, gvk, name + "List", body: false, writes: false),
                ["post"] = Operation("create", resource, gvk, name, body: true, writes: true),
            };
            paths[collection + "/{name}"] = ItemOperations(resource, gvk, name);
            if (resource.HasStatus)
            {
                paths[collection + "/{name}/status"] = ItemOperations(resource, gvk, name, delete: false);
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes CRD Swagger", ["version"] = "v0.1.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonObject ItemOperations(ApiResource resource, JsonObject gvk, string schema, bool delete = true)
    {
        var operations = new JsonObject
        {
            ["get"] = Operation("get", resource, gvk, schema, body: false, writes: false),
            ["put"] = Operation("put", resource, gvk, schema, body: true, writes: true),
            ["patch"] = Operation("patch", resource, gvk, schema, body: true, writes: true),
        };
        if (delete)
        {
            operations["delete"] = Operation("delete", resource, gvk, MetaPrefix + "Status", body: false, writes: false);
        }

        return operations;
    }

    private static JsonObject Operation(string action, ApiResource resource, JsonObject gvk, string responseSchema, bool body, bool writes)
    {
        var parameters = new JsonArray();
        if (writes)
        {
            parameters.Add(QueryParameter("dryRun", "string"));
            parameters.Add(QueryParameter("fieldManager", "string"));
            parameters.Add(QueryParameter("fieldValidation", "string"));
            if (action == "patch")
            {
                parameters.Add(QueryParameter("force", "boolean"));
            }
        }

        var reference = new JsonObject { ["$ref"] = $"#/components/schemas/{responseSchema}" };
        var operation = new JsonObject
        {
            ["operationId"] = $"{action}{resource.Kind}",
            ["parameters"] = parameters,
        };
        if (body)
        {
            var content = new JsonObject();
            var mediaTypes = action == "patch"
                ? new[] { "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml" }
                : ["application/json"];
            foreach (var mediaType in mediaTypes)
            {
                content[mediaType] = new JsonObject { ["schema"] = action == "patch" ? new JsonObject { ["type"] = "object" } : reference.DeepClone() };
            }

            operation["requestBody"] = new JsonObject { ["content"] = content, ["required"] = true };
        }

        operation["responses"] = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = "OK",
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = reference } },
            },
        };
        operation["x-kubernetes-action"] = action;
        operation["x-kubernetes-group-version-kind"] = gvk.DeepClone();
        return operation;
    }

    private static JsonObject QueryParameter(string name, string type) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    /// <summary>The CRD's openAPIV3Schema with apiVersion, kind and a metadata that refers to ObjectMeta.</summary>
    private static JsonObject ResourceSchema(ApiResource resource, bool haveMeta)
    {
        var schema = resource.CustomSchema?.DeepClone().AsObject() ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        var properties = schema["properties"] as JsonObject ?? [];
        schema["properties"] = properties;
        properties["apiVersion"] = new JsonObject { ["type"] = "string" };
        properties["kind"] = new JsonObject { ["type"] = "string" };
        properties["metadata"] = haveMeta
            ? new JsonObject { ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = $"#/components/schemas/{MetaPrefix}ObjectMeta" }) }
            : new JsonObject { ["type"] = "object" };
        schema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject
        {
            ["group"] = resource.Group, ["version"] = resource.Version, ["kind"] = resource.Kind,
        });
        return schema;
    }

    private static JsonObject ListSchema(ApiResource resource, string itemSchema) => new()
    {
        ["type"] = "object",
        ["required"] = new JsonArray("items"),
        ["properties"] = new JsonObject
        {
            ["apiVersion"] = new JsonObject { ["type"] = "string" },
            ["kind"] = new JsonObject { ["type"] = "string" },
            ["items"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["$ref"] = $"#/components/schemas/{itemSchema}" } },
            ["metadata"] = new JsonObject { ["type"] = "object" },
        },
        ["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject
        {
            ["group"] = resource.Group, ["version"] = resource.Version, ["kind"] = resource.Kind + "List",
        }),
    };

    /// <summary>"dev.parma.v1alpha1.ConfidentialPodGroup": the group reversed, the version, the kind.</summary>
    private static string SchemaName(ApiResource resource, string kind) =>
        $"{string.Join('.', resource.Group.Split('.').Reverse())}.{resource.Version}.{kind}";

    /// <summary>ObjectMeta, ListMeta, Status and everything they refer to, from an official document.</summary>
    private static JsonObject? MetaSchemas(OpenApiDocuments? documents)
    {
        if (documents?.Published.TryGetValue(MetaSource, out var bytes) != true)
        {
            return null;
        }

        var all = JsonNode.Parse(bytes)!["components"]!["schemas"]!.AsObject();
        var wanted = new JsonObject();
        var pending = new Stack<string>([MetaPrefix + "ObjectMeta", MetaPrefix + "ListMeta", MetaPrefix + "Status"]);
        while (pending.TryPop(out var name))
        {
            if (wanted.ContainsKey(name) || all[name] is not JsonObject schema)
            {
                continue;
            }

            wanted[name] = schema.DeepClone();
            foreach (var reference in References(schema))
            {
                pending.Push(reference);
            }
        }

        return wanted;
    }

    private static IEnumerable<string> References(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref" && ObjectFields.Text(value) is { } target && target.StartsWith("#/components/schemas/", StringComparison.Ordinal))
                    {
                        yield return target["#/components/schemas/".Length..];
                    }

                    foreach (var nested in References(value))
                    {
                        yield return nested;
                    }
                }

                break;
            case JsonArray array:
                foreach (var nested in array.SelectMany(References))
                {
                    yield return nested;
                }

                break;
        }
    }
}
