using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Parma.Testing.ApiServer.Tests;

/// <summary>
/// A ConfidentialPodGroup as the official client sees a custom resource: typed metadata, spec and status
/// left as JSON (the real type is the migration's to write).
/// </summary>
public sealed class TestGroup : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "parma.dev";
    public const string Version = "v1alpha1";
    public const string Plural = "confidentialpodgroups";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "ConfidentialPodGroup";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public JsonObject? Spec { get; set; }

    [JsonPropertyName("status")]
    public JsonObject? Status { get; set; }

    public static TestGroup Named(string name, int replicas = 1) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new JsonObject
        {
            ["replicas"] = replicas,
            ["template"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "registry.example/parma/hello:1.0" }),
                },
            },
        },
    };
}
