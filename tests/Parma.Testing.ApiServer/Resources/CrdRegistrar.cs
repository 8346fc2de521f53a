using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Storage;
using Parma.Testing.ApiServer.Validation;

namespace Parma.Testing.ApiServer.Resources;

/// <summary>Serves a CustomResourceDefinition's resource once the CRD is stored, validated by its openAPIV3Schema.</summary>
public static class CrdRegistrar
{
    public static void Register(ServerState state, JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject;
        var group = ObjectFields.Text(spec?["group"]) ?? "";
        var names = spec?["names"] as JsonObject;
        var plural = ObjectFields.Text(names?["plural"]) ?? "";
        var kind = ObjectFields.Text(names?["kind"]) ?? "";
        var namespaced = ObjectFields.Text(spec?["scope"]) != "Cluster";
        state.Catalog.RemoveGroupResource(group, plural);
        if (ObjectFields.IsDeleting(crd) || spec?["versions"] is not JsonArray versions)
        {
            return;
        }

        foreach (var version in versions.OfType<JsonObject>())
        {
            if (version["served"] is JsonValue served && !served.GetValue<bool>())
            {
                continue;
            }

            ObjectSchema? schema = null;
            if (version["schema"]?["openAPIV3Schema"] is JsonObject openApi)
            {
                schema = new ObjectSchema(JsonDocument.Parse(openApi.ToJsonString()).RootElement, null, isCustomResource: true);
            }

            ScaleSubresource? scale = null;
            if (version["subresources"]?["scale"] is JsonObject scaleSpec)
            {
                scale = new ScaleSubresource(
                    ObjectFields.Text(scaleSpec["specReplicasPath"]) ?? ".spec.replicas",
                    ObjectFields.Text(scaleSpec["statusReplicasPath"]) ?? ".status.replicas",
                    ObjectFields.Text(scaleSpec["labelSelectorPath"]));
            }

            state.Catalog.Add(new ApiResource(group, ObjectFields.Text(version["name"]) ?? "", plural, kind, namespaced)
            {
                HasStatus = version["subresources"]?["status"] is not null,
                TracksGeneration = true,
                IsCustom = true,
                Schema = schema,
                CustomSchema = version["schema"]?["openAPIV3Schema"]?.DeepClone() as JsonObject,
                Scale = scale,
                Singular = ObjectFields.Text(names?["singular"]) ?? kind.ToLowerInvariant(),
                ShortNames = Strings(names?["shortNames"]),
                Categories = Strings(names?["categories"]),
                PrinterColumns = Columns(version["additionalPrinterColumns"]),
            });
        }
    }

    private static string[] Strings(JsonNode? node) =>
        node is JsonArray list ? [.. list.Select(ObjectFields.Text).OfType<string>()] : [];

    private static PrinterColumn[] Columns(JsonNode? node) =>
        node is JsonArray list
            ? [.. list.OfType<JsonObject>().Select(c => new PrinterColumn(
                ObjectFields.Text(c["name"]) ?? "",
                ObjectFields.Text(c["type"]) ?? "string",
                ObjectFields.Text(c["format"]),
                ObjectFields.Text(c["description"]),
                c["priority"] is null ? 0 : (int)ObjectFields.Integer(c["priority"]),
                ObjectFields.Text(c["jsonPath"]) ?? ""))]
            : [];

    /// <summary>The conditions a healthy CRD reports right away (the names are accepted, the API is established).</summary>
    public static JsonObject AcceptedStatus(JsonObject crd)
    {
        var now = ObjectFields.Now();
        return new JsonObject
        {
            ["acceptedNames"] = crd["spec"]?["names"]?.DeepClone(),
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["reason"] = "NoConflicts", ["message"] = "no conflicts found", ["lastTransitionTime"] = now },
                new JsonObject { ["type"] = "Established", ["status"] = "True", ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted", ["lastTransitionTime"] = now }),
            ["storedVersions"] = new JsonArray([.. (crd["spec"]?["versions"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(v => v["storage"] is JsonValue s && s.GetValue<bool>())
                .Select(v => (JsonNode?)v["name"]?.DeepClone())]),
        };
    }
}
