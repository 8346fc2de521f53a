using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parma.Kube.Schema;

/// <summary>
/// The official structural schema of core/v1 PodTemplateSpec (Kubernetes 1.35's published OpenAPI v3,
/// ../shared/k8s-openapi/v1.35/api__v1_openapi.json): the PodTemplateSpec definition and every definition
/// it refers to, descriptions left out. Shipped inside this assembly (Schema/pod-template.v1.35.json) so
/// that the webhook refuses a group whose template Kubernetes would refuse, at apply time and with the
/// field path, without an API server at hand; a test keeps the file equal to <see cref="Extract"/> of the
/// upstream document.
/// </summary>
public static class PodSchema
{
    public const string KubernetesVersion = "v1.35";
    public const string FileName = "pod-template.v1.35.json";
    public const string PodTemplateSpec = "io.k8s.api.core.v1.PodTemplateSpec";

    private static readonly Lazy<ObjectSchema> Template = new(LoadTemplate);

    /// <summary>Validates a pod template (metadata and spec), reporting paths under <paramref name="path"/> (e.g. "spec.template").</summary>
    public static IReadOnlyList<FieldError> ValidateTemplate(JsonNode? template, string path) =>
        [.. Template.Value.Validate(template).Select(e => e with { Field = e.Field.Length == 0 ? path : $"{path}.{e.Field}" })];

    /// <summary>The PodTemplateSpec closure of an OpenAPI v3 document, deterministic (keys sorted) and without descriptions.</summary>
    public static string Extract(JsonElement openApiDocument)
    {
        var schemas = openApiDocument.GetProperty("components").GetProperty("schemas");
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([PodTemplateSpec]);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name))
            {
                continue;
            }

            foreach (var reference in References(schemas.GetProperty(name)))
            {
                pending.Push(reference[(reference.LastIndexOf('/') + 1)..]);
            }
        }

        var closure = new JsonObject();
        foreach (var name in seen)
        {
            closure[name] = Strip(schemas.GetProperty(name));
        }

        var document = new JsonObject { ["components"] = new JsonObject { ["schemas"] = closure } };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static ObjectSchema LoadTemplate()
    {
        using var stream = typeof(PodSchema).Assembly.GetManifestResourceStream("Parma.Kube.Schema.pod-template.json")
            ?? throw new InvalidOperationException("The Pod schema resource is missing from Parma.Kube.");
        var document = JsonDocument.Parse(stream).RootElement.Clone();
        return new ObjectSchema(document.GetProperty("components").GetProperty("schemas").GetProperty(PodTemplateSpec), document, isCustomResource: false);
    }

    private static IEnumerable<string> References(JsonElement node)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in node.EnumerateObject())
                {
                    if (property.Name == "$ref")
                    {
                        yield return property.Value.GetString()!;
                    }
                    else
                    {
                        foreach (var reference in References(property.Value))
                        {
                            yield return reference;
                        }
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in node.EnumerateArray())
                {
                    foreach (var reference in References(item))
                    {
                        yield return reference;
                    }
                }

                break;
        }
    }

    private static JsonNode? Strip(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.Object => new JsonObject(node.EnumerateObject()
            .Where(p => p.Name != "description")
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Name, Strip(p.Value)))),
        JsonValueKind.Array => new JsonArray([.. node.EnumerateArray().Select(Strip)]),
        _ => JsonNode.Parse(node.GetRawText()),
    };
}
