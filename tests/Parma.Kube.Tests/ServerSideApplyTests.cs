using Parma.Kube.Errors;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;

namespace Parma.Kube.Tests;

public sealed class ServerSideApplyTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private static V1ConfigMap Applied(string ns, Dictionary<string, string> data) =>
        new() { Metadata = new V1ObjectMeta { Name = "ssa", NamespaceProperty = ns }, Data = data };

    [Fact]
    public async Task Apply_creates_then_updates_and_records_managed_fields()
    {
        var ns = await fixture.NewNamespaceAsync();
        var created = await fixture.Client.ApplyAsync(Applied(ns, new() { ["a"] = "1", ["b"] = "2" }), "parma-operator");
        created.Data.Should().BeEquivalentTo(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
        var entry = created.Metadata.ManagedFields.Should().ContainSingle().Which;
        entry.Manager.Should().Be("parma-operator");
        entry.Operation.Should().Be("Apply");
        ((System.Text.Json.JsonElement)entry.FieldsV1!).GetProperty("f:data").TryGetProperty("f:a", out _).Should().BeTrue();

        // Dropping a field from the applied configuration removes it (nobody else owns it).
        var updated = await fixture.Client.ApplyAsync(Applied(ns, new() { ["a"] = "1" }), "parma-operator");
        updated.Data.Should().BeEquivalentTo(new Dictionary<string, string> { ["a"] = "1" });
    }

    [Fact]
    public async Task Another_manager_changing_an_owned_field_conflicts_unless_forced()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.ApplyAsync(Applied(ns, new() { ["a"] = "1" }), "parma-operator");

        var act = () => fixture.Client.ApplyAsync(Applied(ns, new() { ["a"] = "2" }), "someone-else");
        var conflict = (await act.Should().ThrowAsync<KubeConflictException>()).Which;
        conflict.Status.Message.Should().Be("Apply failed with 1 conflict: conflict with \"parma-operator\": .data.a");
        conflict.Status.Details!.Causes.Should().ContainSingle().Which.Field.Should().Be(".data.a");

        // Same value: shared ownership, no conflict.
        await fixture.Client.ApplyAsync(Applied(ns, new() { ["a"] = "1" }), "someone-else");

        var forced = await fixture.Client.ApplyAsync(Applied(ns, new() { ["a"] = "3" }), "someone-else", force: true);
        forced.Data!["a"].Should().Be("3");
    }

    [Fact]
    public async Task Fields_set_by_an_update_manager_conflict_with_apply()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.ApplyAsync(Applied(ns, new() { ["a"] = "1" }), "parma-operator");
        await fixture.Client.PatchAsync<V1ConfigMap>("ssa", ns, KubePatch.Merge("""{"data":{"a":"hand-edited"}}"""), fieldManager: "kubectl-edit");

        var act = () => fixture.Client.ApplyAsync(Applied(ns, new() { ["a"] = "1" }), "parma-operator");
        (await act.Should().ThrowAsync<KubeConflictException>()).Which.Status.Message
            .Should().Be("Apply failed with 1 conflict: conflict with \"kubectl-edit\" using v1: .data.a");
    }

    [Fact]
    public async Task Apply_needs_a_field_manager()
    {
        var ns = await fixture.NewNamespaceAsync();
        var act = () => fixture.Client.PatchAsync<V1ConfigMap>("x", ns, new V1Patch("{}", V1Patch.PatchType.ApplyPatch));
        await act.Should().ThrowAsync<ArgumentException>();
    }
}
