using System.Text.Json.Nodes;
using Parma.Kube.Resources;

namespace Parma.Kube.Tests;

/// <summary>
/// The fixture against recorded kube-apiserver behaviour: status codes and exact Status bodies,
/// list and watch shapes (as kube-apiserver 1.32 answers them).
/// </summary>
public sealed class ApiServerFactsTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private static JsonNode Json(string text) => JsonNode.Parse(text)!;

    [Fact]
    public async Task Not_found_body_is_exactly_kube_apiservers()
    {
        using var raw = new RawApi(fixture.Server);
        var (code, body) = await raw.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/pods/nope");
        code.Should().Be(404);
        JsonNode.DeepEquals(body, Json("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"pods"},"code":404}
            """)).Should().BeTrue(body.ToJsonString());

        var (groupCode, groupBody) = await raw.SendAsync(HttpMethod.Get, "/apis/apps/v1/namespaces/default/deployments/nope");
        groupCode.Should().Be(404);
        JsonNode.DeepEquals(groupBody, Json("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \"nope\" not found","reason":"NotFound","details":{"name":"nope","group":"apps","kind":"deployments"},"code":404}
            """)).Should().BeTrue(groupBody.ToJsonString());
    }

    [Fact]
    public async Task Already_exists_and_conflict_bodies_are_exactly_kube_apiservers()
    {
        var ns = await fixture.NewNamespaceAsync();
        using var raw = new RawApi(fixture.Server);
        var cm = $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"{{{ns}}}"},"data":{"a":"b"}}""";
        (await raw.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", cm)).Code.Should().Be(201);
        var (code, body) = await raw.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", cm);
        code.Should().Be(409);
        JsonNode.DeepEquals(body, Json("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"x\" already exists","reason":"AlreadyExists","details":{"name":"x","kind":"configmaps"},"code":409}
            """)).Should().BeTrue(body.ToJsonString());

        var stale = $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"{{{ns}}}","resourceVersion":"1"},"data":{"a":"c"}}""";
        var (conflictCode, conflict) = await raw.SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/configmaps/x", stale);
        conflictCode.Should().Be(409);
        JsonNode.DeepEquals(conflict, Json("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on configmaps \"x\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"x","kind":"configmaps"},"code":409}
            """)).Should().BeTrue(conflict.ToJsonString());
    }

    [Fact]
    public async Task Missing_required_fields_are_422_invalid_with_field_causes()
    {
        var ns = await fixture.NewNamespaceAsync();
        using var raw = new RawApi(fixture.Server);
        var pod = $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"{{{ns}}}"},"spec":{"containers":[{"image":"x"}]}}""";
        var (code, body) = await raw.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", pod);
        code.Should().Be(422);
        JsonNode.DeepEquals(body, Json("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \"p\" is invalid: spec.containers[0].name: Required value","reason":"Invalid","details":{"name":"p","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[0].name"}]},"code":422}
            """)).Should().BeTrue(body.ToJsonString());
    }

    [Fact]
    public async Task Unknown_fields_are_rejected_by_strict_field_validation()
    {
        var ns = await fixture.NewNamespaceAsync();
        using var raw = new RawApi(fixture.Server);
        var pod = $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"{{{ns}}}"},"spec":{"containers":[{"name":"a","image":"x","imagePullPolicyy":"Always"}]}}""";
        var (code, body) = await raw.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", pod);
        code.Should().Be(400);
        body["reason"]!.GetValue<string>().Should().Be("BadRequest");
        body["message"]!.GetValue<string>().Should().Be("strict decoding error: unknown field \"spec.containers[0].imagePullPolicyy\"");

        // fieldValidation=Ignore drops the field instead.
        var (ignoredCode, stored) = await raw.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods?fieldValidation=Ignore", pod);
        ignoredCode.Should().Be(201);
        stored["spec"]!["containers"]![0]!.AsObject().ContainsKey("imagePullPolicyy").Should().BeFalse();
    }

    [Fact]
    public async Task Wrong_types_are_422_with_a_type_cause()
    {
        var ns = await fixture.NewNamespaceAsync();
        using var raw = new RawApi(fixture.Server);
        var deployment = $$$$$"""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"{{{{{ns}}}}}"},"spec":{"replicas":"three","selector":{},"template":{"spec":{"containers":[{"name":"a"}]}}}}""";
        var (code, body) = await raw.SendAsync(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments", deployment);
        code.Should().Be(422);
        body["details"]!["group"]!.GetValue<string>().Should().Be("apps");
        body["details"]!["causes"]![0]!["field"]!.GetValue<string>().Should().Be("spec.replicas");
        body["details"]!["causes"]![0]!["reason"]!.GetValue<string>().Should().Be("FieldValueTypeInvalid");
    }

    [Fact]
    public async Task Lists_carry_the_type_once_and_items_without_it()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "one"));
        using var raw = new RawApi(fixture.Server);
        var (code, body) = await raw.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps");
        code.Should().Be(200);
        body["kind"]!.GetValue<string>().Should().Be("ConfigMapList");
        body["apiVersion"]!.GetValue<string>().Should().Be("v1");
        body["metadata"]!["resourceVersion"]!.GetValue<string>().Should().NotBeEmpty();
        var item = body["items"]![0]!.AsObject();
        item.ContainsKey("kind").Should().BeFalse();
        item.ContainsKey("apiVersion").Should().BeFalse();
    }

    [Fact]
    public async Task Watch_lines_bookmarks_and_the_410_error_event_have_kube_apiservers_shapes()
    {
        var ns = await fixture.NewNamespaceAsync();
        var created = await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "w"));
        using var raw = new RawApi(fixture.Server);

        var lines = await ReadLinesAsync(raw, $"/api/v1/namespaces/{ns}/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=0", 2);
        lines[0]["type"]!.GetValue<string>().Should().Be("ADDED");
        lines[0]["object"]!["kind"]!.GetValue<string>().Should().Be("ConfigMap");
        lines[0]["object"]!["metadata"]!["name"]!.GetValue<string>().Should().Be("w");
        lines[1]["type"]!.GetValue<string>().Should().Be("BOOKMARK");
        var bookmark = lines[1]["object"]!.AsObject();
        bookmark["kind"]!.GetValue<string>().Should().Be("ConfigMap");
        bookmark["apiVersion"]!.GetValue<string>().Should().Be("v1");
        bookmark["metadata"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("resourceVersion", "creationTimestamp");

        // Watching from X needs the history after X: write once more, then compact it away.
        await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "later"));
        fixture.Server.Compact();
        using var second = new RawApi(fixture.Server);
        var expired = await ReadLinesAsync(second, $"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={created.Metadata.ResourceVersion}", 1);
        expired[0]["type"]!.GetValue<string>().Should().Be("ERROR");
        var status = expired[0]["object"]!.AsObject();
        status["kind"]!.GetValue<string>().Should().Be("Status");
        status["status"]!.GetValue<string>().Should().Be("Failure");
        status["reason"]!.GetValue<string>().Should().Be("Expired");
        status["code"]!.GetValue<int>().Should().Be(410);
        status["message"]!.GetValue<string>().Should().MatchRegex(@"^too old resource version: \d+ \(\d+\)$");
    }

    [Fact]
    public async Task Requests_without_credentials_are_401()
    {
        using var raw = new RawApi(fixture.Server);
        raw.Http.DefaultRequestHeaders.Authorization = null;
        var (code, body) = await raw.SendAsync(HttpMethod.Get, "/api/v1/namespaces");
        code.Should().Be(401);
        JsonNode.DeepEquals(body, Json("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}
            """)).Should().BeTrue(body.ToJsonString());
    }

    [Fact]
    public async Task Delete_answers_a_success_status_for_configmaps_and_the_object_for_pods()
    {
        var ns = await fixture.NewNamespaceAsync();
        var cm = await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "gone"));
        using var raw = new RawApi(fixture.Server);
        var (code, body) = await raw.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/gone");
        code.Should().Be(200);
        JsonNode.DeepEquals(body, Json($$$"""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"gone","kind":"configmaps","uid":"{{{cm.Metadata.Uid}}}"}}
            """)).Should().BeTrue(body.ToJsonString());

        await fixture.Client.CreateAsync(TestObjects.Pod(ns, "p"));
        var (podCode, pod) = await raw.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/pods/p");
        podCode.Should().Be(200);
        pod["kind"]!.GetValue<string>().Should().Be("Pod");
    }

    private static async Task<List<JsonObject>> ReadLinesAsync(RawApi raw, string path, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var response = await raw.Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var lines = new List<JsonObject>();
        while (lines.Count < count && await reader.ReadLineAsync(cts.Token) is { } line)
        {
            lines.Add((JsonObject)JsonNode.Parse(line)!);
        }

        return lines;
    }
}
