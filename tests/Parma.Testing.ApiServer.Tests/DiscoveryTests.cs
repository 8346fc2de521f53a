using System.Text.Json.Nodes;
using k8s;
using Parma.Testing.ApiServer;

namespace Parma.Testing.ApiServer.Tests;

/// <summary>The discovery and OpenAPI documents as sent, and how they follow CRDs being created and deleted.</summary>
public sealed class DiscoveryTests : IAsyncLifetime
{
    private const string AggregatedAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    private TestApiServer _server = null!;
    private RawHttp _http = null!;

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync();
        _http = new RawHttp(_server);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Aggregated_discovery_is_sent_when_asked_for_and_the_legacy_documents_otherwise()
    {
        var (code, contentType, core) = await _http.GetAsync("/api", AggregatedAccept);
        code.Should().Be(200);
        contentType!.Replace(" ", "", StringComparison.Ordinal).Should().Be("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        core!["kind"]!.GetValue<string>().Should().Be("APIGroupDiscoveryList");
        var pods = Resource(core, "", "v1", "pods");
        pods["scope"]!.GetValue<string>().Should().Be("Namespaced");
        pods["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("po");
        pods["subresources"]!.AsArray().Select(s => s!["subresource"]!.GetValue<string>()).Should().Equal("status");

        var (_, legacyType, legacy) = await _http.GetAsync("/api");
        legacyType.Should().Be("application/json");
        legacy!["kind"]!.GetValue<string>().Should().Be("APIVersions");
        legacy["versions"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal("v1");

        var (_, _, groups) = await _http.GetAsync("/apis");
        groups!["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).Should().Contain(["apps", "apiextensions.k8s.io"]).And.NotContain("");
        var (_, _, apps) = await _http.GetAsync("/apis/apps/v1");
        apps!["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).Should().Contain(["deployments", "deployments/status"]);
        (await _http.GetAsync("/apis/apps/v2")).Code.Should().Be(404);
        (await _http.GetAsync("/apis/no.such.group")).Code.Should().Be(404);
    }

    [Fact]
    public async Task A_crd_appears_in_discovery_and_openapi_when_created_and_leaves_when_deleted()
    {
        (await _http.GetAsync("/apis/parma.dev/v1alpha1")).Code.Should().Be(404);
        await _server.CreateManifestsAsync(await File.ReadAllTextAsync(RepoPaths.InRepo("crds", "parma.dev_confidentialpodgroups.yaml")));

        var (_, _, all) = await _http.GetAsync("/apis", AggregatedAccept);
        var groups = Resource(all!, "parma.dev", "v1alpha1", "confidentialpodgroups");
        groups["singularResource"]!.GetValue<string>().Should().Be("confidentialpodgroup");
        groups["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("cpg");
        groups["categories"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("parma");
        var scale = groups["subresources"]!.AsArray().Single(s => s!["subresource"]!.GetValue<string>() == "scale")!;
        scale["responseKind"]!.ToJsonString().Should().Be("""{"group":"autoscaling","version":"v1","kind":"Scale"}""");

        var (_, _, legacy) = await _http.GetAsync("/apis/parma.dev/v1alpha1");
        legacy!["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>())
            .Should().Equal("confidentialpodgroups", "confidentialpodgroups/status", "confidentialpodgroups/scale");

        // The OpenAPI v3 document tells kubectl the server validates fields (fieldValidation on PATCH).
        var (_, _, index) = await _http.GetAsync("/openapi/v3");
        var url = index!["paths"]!["apis/parma.dev/v1alpha1"]!["serverRelativeURL"]!.GetValue<string>();
        index["paths"]!["api/v1"].Should().NotBeNull("the built-in groups are served from the official documents");
        var (code, _, document) = await _http.GetAsync(url);
        code.Should().Be(200);
        var patch = document!["paths"]!["/apis/parma.dev/v1alpha1/namespaces/{namespace}/confidentialpodgroups/{name}"]!["patch"]!;
        patch["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).Should().Contain("fieldValidation");
        patch["x-kubernetes-group-version-kind"]!["kind"]!.GetValue<string>().Should().Be("ConfidentialPodGroup");
        document["components"]!["schemas"]!["dev.parma.v1alpha1.ConfidentialPodGroup"]!["properties"]!["spec"]!["required"]!.AsArray()
            .Select(r => r!.GetValue<string>()).Should().Equal("template");
        document["components"]!["schemas"]!["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"].Should().NotBeNull();

        using var client = OfficialClient.For(_server);
        await client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("confidentialpodgroups.parma.dev");
        (await _http.GetAsync("/apis/parma.dev/v1alpha1")).Code.Should().Be(404);
        (await _http.GetAsync("/openapi/v3"))!.Body!["paths"]!["apis/parma.dev/v1alpha1"].Should().BeNull();
        var (_, _, after) = await _http.GetAsync("/apis", AggregatedAccept);
        after!["items"]!.AsArray().Should().NotContain(g => g!["metadata"]!["name"]!.GetValue<string>() == "parma.dev");
    }

    [Fact]
    public async Task Version_answers_with_and_without_a_trailing_slash()
    {
        foreach (var path in new[] { "/version", "/version/" })
        {
            var (code, _, version) = await _http.GetAsync(path);
            code.Should().Be(200);
            version!["gitVersion"]!.GetValue<string>().Should().Be("v1.32.0-parma-test");
            version["minor"]!.GetValue<string>().Should().Be("32");
        }
    }

    private static JsonNode Resource(JsonNode aggregated, string group, string version, string plural)
    {
        var item = aggregated["items"]!.AsArray().Single(i => (i!["metadata"]?["name"]?.GetValue<string>() ?? "") == group)!;
        var versions = item["versions"]!.AsArray().Single(v => v!["version"]!.GetValue<string>() == version)!;
        versions["freshness"]!.GetValue<string>().Should().Be("Current");
        return versions["resources"]!.AsArray().Single(r => r!["resource"]!.GetValue<string>() == plural)!;
    }
}
