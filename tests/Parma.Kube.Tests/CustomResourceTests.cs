using Parma.Kube.Errors;
using Parma.Kube.Models;
using Parma.Kube.Resources;

namespace Parma.Kube.Tests;

[KubeResource("parma.dev", "v1alpha1", "widgets", "Widget", HasStatusSubresource = true)]
public sealed class Widget : KubeObject
{
    public WidgetSpec? Spec { get; set; }

    public WidgetStatus? Status { get; set; }
}

public sealed class WidgetSpec : KubeModel
{
    public int? Replicas { get; set; }

    public string? Policy { get; set; }
}

public sealed class WidgetStatus : KubeModel
{
    public int? Replicas { get; set; }

    public string? HostData { get; set; }
}

/// <summary>A CRD registered at runtime serves its resource, validated by its openAPIV3Schema.</summary>
public sealed class CustomResourceTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private const string Crd = """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"widgets.parma.dev"},
         "spec":{"group":"parma.dev","scope":"Namespaced",
           "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
           "versions":[{"name":"v1alpha1","served":true,"storage":true,
             "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas"}},
             "schema":{"openAPIV3Schema":{"type":"object","properties":{
               "spec":{"type":"object","required":["policy"],"properties":{
                 "replicas":{"type":"integer","format":"int32"},
                 "policy":{"type":"string","enum":["allow","deny"]}}},
               "status":{"type":"object","properties":{"replicas":{"type":"integer"},"hostData":{"type":"string"}}}}}}}]}}
        """;

    private async Task EnsureCrdAsync()
    {
        using var raw = new RawApi(fixture.Server);
        var (code, body) = await raw.SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd);
        if (code != 409)
        {
            code.Should().Be(201, body.ToJsonString());
            body["status"]!["conditions"]!.AsArray().Select(c => c!["type"]!.GetValue<string>()).Should().Contain("Established");
        }
    }

    [Fact]
    public async Task Custom_resources_are_served_with_generation_and_status_subresource()
    {
        await EnsureCrdAsync();
        var ns = await fixture.NewNamespaceAsync();
        var created = await fixture.Client.CreateAsync(new Widget { Metadata = new ObjectMeta { Name = "w", Namespace = ns }, Spec = new WidgetSpec { Replicas = 1, Policy = "allow" } });
        created.Metadata.Generation.Should().Be(1);
        created.ApiVersion.Should().Be("parma.dev/v1alpha1");

        created.Status = new WidgetStatus { HostData = "abcd", Replicas = 1 };
        var withStatus = await fixture.Client.ReplaceStatusAsync(created);
        withStatus.Status!.HostData.Should().Be("abcd");
        withStatus.Metadata.Generation.Should().Be(1);

        withStatus.Spec!.Replicas = 2;
        (await fixture.Client.ReplaceAsync(withStatus)).Metadata.Generation.Should().Be(2);

        var list = await fixture.Client.ListAsync<Widget>(ns);
        list.Items.Should().ContainSingle().Which.Kind.Should().Be("Widget", "custom resource list items keep apiVersion and kind");

        using var raw = new RawApi(fixture.Server);
        var (code, scale) = await raw.SendAsync(HttpMethod.Get, $"/apis/parma.dev/v1alpha1/namespaces/{ns}/widgets/w/scale");
        code.Should().Be(200);
        scale["kind"]!.GetValue<string>().Should().Be("Scale");
        scale["spec"]!["replicas"]!.GetValue<int>().Should().Be(2);
        scale["status"]!["replicas"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task Custom_resources_are_validated_by_the_crd_schema()
    {
        await EnsureCrdAsync();
        var ns = await fixture.NewNamespaceAsync();
        var missing = () => fixture.Client.CreateAsync(new Widget { Metadata = new ObjectMeta { Name = "m", Namespace = ns }, Spec = new WidgetSpec { Replicas = 1 } });
        var invalid = (await missing.Should().ThrowAsync<KubeInvalidException>()).Which;
        invalid.Status.Message.Should().Be("Widget.parma.dev \"m\" is invalid: spec.policy: Required value");
        invalid.Status.Details!.Group.Should().Be("parma.dev");

        var badEnum = () => fixture.Client.CreateAsync(new Widget { Metadata = new ObjectMeta { Name = "e", Namespace = ns }, Spec = new WidgetSpec { Policy = "maybe" } });
        (await badEnum.Should().ThrowAsync<KubeInvalidException>()).Which.Status.Details!.Causes![0].Reason.Should().Be("FieldValueNotSupported");

        using var raw = new RawApi(fixture.Server);
        var unknown = $$$"""{"apiVersion":"parma.dev/v1alpha1","kind":"Widget","metadata":{"name":"u","namespace":"{{{ns}}}"},"spec":{"policy":"allow","extra":1}}""";
        var (code, body) = await raw.SendAsync(HttpMethod.Post, $"/apis/parma.dev/v1alpha1/namespaces/{ns}/widgets", unknown);
        code.Should().Be(400);
        body["message"]!.GetValue<string>().Should().Be("strict decoding error: unknown field \"spec.extra\"");
    }

    [Fact]
    public async Task Unregistered_resources_are_404()
    {
        using var raw = new RawApi(fixture.Server);
        var (code, body) = await raw.SendAsync(HttpMethod.Get, "/apis/nothing.example/v1/namespaces/default/things");
        code.Should().Be(404);
        body["message"]!.GetValue<string>().Should().Be("the server could not find the requested resource");
    }
}
