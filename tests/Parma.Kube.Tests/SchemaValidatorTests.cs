using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Kube.Errors;
using Parma.Testing;
using Parma.Testing.ApiServer;
using Parma.Kube.Schema;
using k8s;

namespace Parma.Kube.Tests;

public sealed class SchemaValidatorTests
{
    private static ObjectSchema Schema(string json) => new(JsonDocument.Parse(json).RootElement, null, isCustomResource: true);

    [Fact]
    public void Int_or_string_preserve_unknown_fields_and_nested_arrays()
    {
        var schema = Schema("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "port":{"x-kubernetes-int-or-string":true},
              "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
              "items":{"type":"array","items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}}}}}}
            """);
        schema.Validate(JsonNode.Parse("""{"spec":{"port":"http","free":{"anything":[1,2]},"items":[{"name":"a"}]}}""")).Should().BeEmpty();
        schema.Validate(JsonNode.Parse("""{"spec":{"port":8080}}""")).Should().BeEmpty();

        var errors = schema.Validate(JsonNode.Parse("""{"spec":{"port":true,"items":[{"name":"a"},{"nom":"b"}]}}"""));
        errors.Select(e => (e.Kind, e.Field)).Should().BeEquivalentTo(new[]
        {
            (FieldErrorKind.TypeInvalid, "spec.port"),
            (FieldErrorKind.Required, "spec.items[1].name"),
            (FieldErrorKind.Unknown, "spec.items[1].nom"),
        });
    }

    [Fact]
    public void Official_documents_resolve_refs_and_formats()
    {
        var documents = OpenApiDocuments.Load(RepoPaths.InShared("k8s-openapi", "v1.32"));
        var pod = documents.Find("", "v1", "Pod")!;
        pod.Validate(JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},
             "spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],"resources":{"limits":{"cpu":"1","memory":1024}},
               "livenessProbe":{"httpGet":{"port":"http"}}}]}}
            """)).Should().BeEmpty();

        var errors = pod.Validate(JsonNode.Parse("""{"spec":{"containers":[{"name":"c","ports":[{"containerPort":4294967296}]}]}}"""));
        errors.Should().ContainSingle().Which.Field.Should().Be("spec.containers[0].ports[0].containerPort");

        documents.Find("coordination.k8s.io", "v1", "Lease").Should().NotBeNull();
        documents.Find("apps", "v1", "Deployment").Should().NotBeNull();
    }

    [Fact]
    public async Task The_server_can_validate_against_v1_35()
    {
        await using var server = await TestApiServer.StartAsync(new TestApiServerOptions { KubernetesVersion = "v1.35" });
        using var kubeconfig = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(server.Kubeconfig()));
        using var client = Parma.Kube.Client.KubeClients.Create(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        var pod = System.Text.Json.Nodes.JsonNode.Parse(k8s.KubernetesJson.Serialize(TestObjects.Pod("default", "p")))!;
        pod["spec"]!["containers"]![0]!["notAField"] = 1;
        var act = () => client.CustomObjects.CreateNamespacedCustomObjectAsync(pod, "", "v1", "default", "pods").Checked();
        (await act.Should().ThrowAsync<KubeApiException>()).Which.Status.Message.Should().Contain("unknown field \"spec.containers[0].notAField\"");
        using var raw = new RawApi(server);
        var (_, version) = await raw.SendAsync(HttpMethod.Get, "/version");
        version["minor"]!.GetValue<string>().Should().Be("35");
    }
}
