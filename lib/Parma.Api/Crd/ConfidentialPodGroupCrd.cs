using System.Text.Json.Nodes;

namespace Parma.Api;

/// <summary>The CustomResourceDefinition of ConfidentialPodGroup, generated from the C# types (crds/ holds its YAML).</summary>
public static class ConfidentialPodGroupCrd
{
    public const string FileName = "parma.dev_confidentialpodgroups.yaml";

    public static JsonObject Build()
    {
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["description"] = "A group of containers run as confidential Kata pods on SEV-SNP nodes under one generated execution policy.",
            ["required"] = new JsonArray("spec"),
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = new JsonObject { ["type"] = "string" },
                ["kind"] = new JsonObject { ["type"] = "string" },
                ["metadata"] = new JsonObject { ["type"] = "object" },
                ["spec"] = OpenApiSchemaBuilder.ForType(typeof(ConfidentialPodGroupSpec)),
                ["status"] = OpenApiSchemaBuilder.ForType(typeof(ConfidentialPodGroupStatus)),
            },
        };

        var version = new JsonObject
        {
            ["name"] = ParmaApi.Version,
            ["served"] = true,
            ["storage"] = true,
            ["schema"] = new JsonObject { ["openAPIV3Schema"] = schema },
            ["subresources"] = new JsonObject
            {
                ["status"] = new JsonObject(),
                ["scale"] = new JsonObject
                {
                    ["specReplicasPath"] = ".spec.replicas",
                    ["statusReplicasPath"] = ".status.replicas",
                    ["labelSelectorPath"] = ".status.selector",
                },
            },
            ["additionalPrinterColumns"] = new JsonArray(
                Column("Replicas", "integer", ".spec.replicas", "Desired pods"),
                Column("Ready", "integer", ".status.readyReplicas", "Ready pods"),
                Column("HostData", "string", ".status.policyHash", "First 12 hex digits of the policy's SHA-256 (HOST_DATA)"),
                Column("Policy", "string", ".status.conditions[?(@.type==\"PolicyReady\")].status", "PolicyReady condition"),
                Column("Age", "date", ".metadata.creationTimestamp", null)),
        };

        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = ParmaApi.CrdName },
            ["spec"] = new JsonObject
            {
                ["group"] = ParmaApi.Group,
                ["names"] = new JsonObject
                {
                    ["kind"] = ParmaApi.Kind,
                    ["listKind"] = ParmaApi.ListKind,
                    ["plural"] = ParmaApi.Plural,
                    ["singular"] = ParmaApi.Singular,
                    ["shortNames"] = new JsonArray(ParmaApi.ShortName),
                    ["categories"] = new JsonArray("parma"),
                },
                ["scope"] = "Namespaced",
                ["versions"] = new JsonArray(version),
            },
        };
    }

    /// <summary>The YAML file as committed in crds/ (and charts/parma-operator/crds/).</summary>
    public static string ToYaml() =>
        "# Generated from lib/Parma.Api by `parma crd`. Do not edit: change the C# types and regenerate.\n"
        + "---\n"
        + YamlEmitter.Write(Build());

    private static JsonObject Column(string name, string type, string path, string? description)
    {
        var column = new JsonObject { ["name"] = name, ["type"] = type, ["jsonPath"] = path };
        if (description is not null)
        {
            column["description"] = description;
        }

        return column;
    }
}
