using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Kube.Schema;
using Parma.Testing;

namespace Parma.Kube.Tests;

/// <summary>The Pod schema shipped in Parma.Kube is the official 1.35 one and refuses what kube-apiserver refuses, naming the field.</summary>
public sealed class PodSchemaTests
{
    [Fact]
    public void Shipped_schema_is_the_v1_35_extract_of_the_official_document()
    {
        var document = JsonDocument.Parse(File.ReadAllBytes(RepoPaths.InShared("k8s-openapi", PodSchema.KubernetesVersion, "api__v1_openapi.json"))).RootElement;
        var extract = PodSchema.Extract(document);
        var shipped = RepoPaths.InRepo("lib", "Parma.Kube", "Schema", PodSchema.FileName);
        if (Environment.GetEnvironmentVariable("PARMA_REGENERATE") == "1")
        {
            File.WriteAllText(shipped, extract);
        }

        File.ReadAllText(shipped).Should().Be(extract, "regenerate it with PARMA_REGENERATE=1 dotnet test tests/Parma.Kube.Tests --filter PodSchemaTests");
    }

    [Fact]
    public void A_valid_template_passes()
    {
        var template = JsonNode.Parse("""
            {"metadata":{"labels":{"app":"web"}},
             "spec":{"containers":[{"name":"app","image":"registry.example/app:1","ports":[{"containerPort":8080}],
               "livenessProbe":{"httpGet":{"path":"/healthz","port":"http"}},"resources":{"limits":{"memory":"256Mi","cpu":1}}}],
               "securityContext":{"runAsNonRoot":true},"volumes":[{"name":"data","emptyDir":{}}]}}
            """);
        PodSchema.ValidateTemplate(template, "spec.template").Should().BeEmpty();
    }

    [Theory]
    [InlineData("""{"spec":{"containers":[{"name":"app","image":"i","imagePullPolicy":"Sometimes","futureField":1}]}}""", "spec.template.spec.containers[0].futureField")]
    [InlineData("""{"spec":{"containers":[{"name":"app","image":"i","ports":[{"containerPort":"eighty"}]}]}}""", "spec.template.spec.containers[0].ports[0].containerPort")]
    [InlineData("""{"spec":{"containers":[{"image":"i"}]}}""", "spec.template.spec.containers[0].name")]
    [InlineData("""{"spec":{"containers":[{"name":"app","image":"i"}],"hostNetwork":"yes"}}""", "spec.template.spec.hostNetwork")]
    [InlineData("""{"metadata":{"labels":{"app":7}},"spec":{"containers":[{"name":"app","image":"i"}]}}""", "spec.template.metadata.labels.app")]
    public void A_bad_template_is_refused_with_the_field_path(string template, string field)
    {
        var errors = PodSchema.ValidateTemplate(JsonNode.Parse(template), "spec.template");
        errors.Select(e => e.Field).Should().Contain(field);
    }
}
