using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Testing.ApiServer;

namespace Parma.Testing.ApiServer.Tests;

/// <summary>
/// The official C# client (KubernetesClient 21) against the test API server: kubeconfig loading with the
/// server's CA, typed pods and custom objects, the three patch kinds and the errors it raises. The
/// operator and the webhook move onto this client; these calls are the ones they will make.
/// </summary>
public sealed class OfficialClientTests : IAsyncLifetime
{
    private TestApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync();
        await _server.CreateManifestsAsync(File.ReadAllText(RepoPaths.InRepo("crds", "parma.dev_confidentialpodgroups.yaml")));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Version_is_read_from_the_version_path_with_a_trailing_slash()
    {
        using var client = OfficialClient.For(_server);

        var version = await client.Version.GetCodeAsync();

        version.Major.Should().Be("1");
        version.GitVersion.Should().StartWith("v1.32.");
        _server.RequestLog.Should().Contain(r => r.StartsWith("GET /version/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pods_are_created_read_listed_and_deleted_with_a_client_certificate()
    {
        using var client = OfficialClient.For(_server, certificateUser: "system:serviceaccount:parma-system:operator");

        var created = await client.CoreV1.CreateNamespacedPodAsync(Pod("web-1", ("app", "web")), "default");
        await client.CoreV1.CreateNamespacedPodAsync(Pod("db-1", ("app", "db")), "default");

        created.Metadata.Uid.Should().NotBeNullOrEmpty();
        created.Metadata.ResourceVersion.Should().NotBeNullOrEmpty();
        created.Status.Phase.Should().Be("Pending");
        (await client.CoreV1.ReadNamespacedPodAsync("web-1", "default")).Spec.Containers.Should().ContainSingle(c => c.Image == "busybox");
        var web = await client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web");
        web.Items.Select(p => p.Metadata.Name).Should().Equal("web-1");
        var paged = await client.CoreV1.ListNamespacedPodAsync("default", limit: 1);
        paged.Items.Should().HaveCount(1);
        paged.Metadata.ContinueProperty.Should().NotBeNullOrEmpty();
        paged.Metadata.RemainingItemCount.Should().Be(1);

        var duplicate = () => client.CoreV1.CreateNamespacedPodAsync(Pod("web-1"), "default");
        (await duplicate.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.Conflict);

        await client.CoreV1.DeleteNamespacedPodAsync("web-1", "default");
        var gone = () => client.CoreV1.ReadNamespacedPodAsync("web-1", "default");
        var notFound = (await gone.Should().ThrowAsync<HttpOperationException>()).Which;
        notFound.Response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        Message(notFound).Should().Be("pods \"web-1\" not found");
    }

    [Fact]
    public async Task Pods_are_patched_by_merge_json_and_server_side_apply_with_managed_fields()
    {
        using var client = OfficialClient.For(_server);
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web"), "default");

        var merged = await client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""{"metadata":{"labels":{"tier":"front"}}}""", V1Patch.PatchType.MergePatch), "web", "default");
        merged.Metadata.Labels.Should().Contain("tier", "front");

        var jsonPatched = await client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""[{"op":"add","path":"/metadata/annotations","value":{"note":"json"}}]""", V1Patch.PatchType.JsonPatch), "web", "default");
        jsonPatched.Metadata.Annotations.Should().Contain("note", "json");

        var failedTest = () => client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""[{"op":"test","path":"/metadata/labels/tier","value":"back"}]""", V1Patch.PatchType.JsonPatch), "web", "default");
        (await failedTest.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);

        var applied = await client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(Apply("web", ("owner", "operator")), V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: "parma-operator");
        applied.Metadata.Labels.Should().Contain("owner", "operator").And.Contain("tier", "front");
        applied.Metadata.ManagedFields.Should().Contain(m => m.Manager == "parma-operator" && m.Operation == "Apply");

        // Another manager's different value conflicts until it forces the field over.
        var conflicting = () => client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(Apply("web", ("owner", "someone-else")), V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: "other");
        var conflict = (await conflicting.Should().ThrowAsync<HttpOperationException>()).Which;
        conflict.Response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        Message(conflict).Should().Be("Apply failed with 1 conflict: conflict with \"parma-operator\": .metadata.labels.owner");
        var forced = await client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(Apply("web", ("owner", "someone-else")), V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: "other", force: true);
        forced.Metadata.Labels["owner"].Should().Be("someone-else");

        // An apply that creates the object.
        var createdByApply = await client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(Pod("applied"), V1Patch.PatchType.ApplyPatch), "applied", "default", fieldManager: "parma-operator");
        createdByApply.Metadata.Uid.Should().NotBeNullOrEmpty();
        createdByApply.Metadata.ManagedFields.Should().ContainSingle().Which.Operation.Should().Be("Apply");
    }

    [Fact]
    public async Task Custom_objects_are_created_listed_patched_and_given_a_status_as_typed_objects()
    {
        using var client = OfficialClient.For(_server);

        var created = await client.CustomObjects.CreateNamespacedCustomObjectAsync<TestGroup>(
            TestGroup.Named("hello", replicas: 2), TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural);
        created.Metadata.Generation.Should().Be(1);
        created.Spec!["replicas"]!.GetValue<int>().Should().Be(2);

        var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<ResourceList<TestGroup>>(TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural);
        list.Items.Select(g => g.Metadata.Name).Should().Equal("hello");
        list.Items[0].Kind.Should().Be("ConfidentialPodGroup", "custom resource list items carry their kind");

        var merged = await client.CustomObjects.PatchNamespacedCustomObjectAsync<TestGroup>(
            new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural, "hello");
        merged.Spec!["replicas"]!.GetValue<int>().Should().Be(3);
        merged.Metadata.Generation.Should().Be(2);

        var jsonPatched = await client.CustomObjects.PatchNamespacedCustomObjectAsync<TestGroup>(
            new V1Patch("""[{"op":"replace","path":"/spec/replicas","value":4}]""", V1Patch.PatchType.JsonPatch), TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural, "hello");
        jsonPatched.Spec!["replicas"]!.GetValue<int>().Should().Be(4);

        var applied = await client.CustomObjects.PatchNamespacedCustomObjectAsync<TestGroup>(
            new V1Patch(new JsonObject
            {
                ["apiVersion"] = "parma.dev/v1alpha1",
                ["kind"] = "ConfidentialPodGroup",
                ["metadata"] = new JsonObject { ["name"] = "hello", ["labels"] = new JsonObject { ["team"] = "a" } },
            }.ToJsonString(), V1Patch.PatchType.ApplyPatch),
            TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural, "hello", fieldManager: "parma-operator");
        applied.Metadata.Labels.Should().Contain("team", "a");
        applied.Spec!["replicas"]!.GetValue<int>().Should().Be(4, "an apply keeps the fields other managers own");

        var withStatus = await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<TestGroup>(
            new V1Patch(new JsonObject { ["status"] = new JsonObject { ["readyReplicas"] = 4, ["hostData"] = new string('a', 64) } }.ToJsonString(), V1Patch.PatchType.MergePatch), TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural, "hello");
        withStatus.Status!["readyReplicas"]!.GetValue<int>().Should().Be(4);
        withStatus.Metadata.Generation.Should().Be(3, "a status write leaves the generation alone");

        var invalid = () => client.CustomObjects.PatchNamespacedCustomObjectAsync<TestGroup>(
            new V1Patch("""{"spec":{"replicas":-1}}""", V1Patch.PatchType.MergePatch), TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural, "hello");
        (await invalid.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);

        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural, "hello");
        var gone = () => client.CustomObjects.GetNamespacedCustomObjectAsync<TestGroup>(TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural, "hello");
        (await gone.Should().ThrowAsync<HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    /// <summary>The message of the Status body the server answered with.</summary>
    private static string? Message(HttpOperationException error) => JsonNode.Parse(error.Response.Content)?["message"]?.GetValue<string>();

    private static V1Pod Pod(string name, params (string Key, string Value)[] labels) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, Labels = labels.Length == 0 ? null : labels.ToDictionary(l => l.Key, l => l.Value) },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "busybox" }] },
    };

    private static string Apply(string name, (string Key, string Value) label) => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { [label.Key] = label.Value } },
    }.ToJsonString();
}
