using System.Text.Json;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Kube.Resources;
using Parma.Operator.Tests.Support;

namespace Parma.Operator.Tests;

/// <summary>
/// The operator's writes are patches of what it owns: a field its types do not know (a newer Pod field in
/// the template, which the CRD keeps) and what other controllers add (an annotation, a condition of their
/// own, a label and a key in the policy ConfigMap) survive its finalizer, status and ConfigMap writes.
/// </summary>
[Collection(OperatorCollection.Name)]
public sealed class UnknownFieldsTests(ImageRegistryFixture images) : IAsyncLifetime
{
    private OperatorHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _harness = await OperatorHarness.StartAsync(images);
        await _harness.StartOperatorAsync();
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Fields_the_operator_does_not_own_survive_its_writes()
    {
        await _harness.Server.CreateManifestsAsync($"""
            apiVersion: parma.dev/v1alpha1
            kind: ConfidentialPodGroup
            metadata:
              name: kept
            spec:
              replicas: 1
              template:
                spec:
                  futurePodField: {"{"}mode: strict{"}"}
                  containers:
                    - name: app
                      image: {images.Hello}
            """);
        var first = await _harness.WaitRolledOutAsync("kept", 1);

        // Other controllers write beside the operator.
        await _harness.Client.PatchAsync<ConfidentialPodGroup>("kept", "default", KubePatch.Merge("""{"metadata":{"annotations":{"other.example/owner":"team-a"}}}"""));
        await _harness.Client.PatchStatusAsync<ConfidentialPodGroup>("kept", "default", KubePatch.Json(
            """[{"op":"add","path":"/status/conditions/-","value":{"type":"Audited","status":"True","reason":"Checked","message":"by the auditor","lastTransitionTime":"2025-01-01T00:00:00Z"}}]"""));
        await _harness.Client.PatchAsync<V1ConfigMap>("kept-policy", "default", KubePatch.Merge(
            """{"metadata":{"labels":{"backup.example/include":"true"}},"data":{"audit-note":"seen"}}"""));

        // A policy change makes the operator write the finalized group's status and its policy ConfigMap again.
        await _harness.PatchGroupAsync("kept", """{"spec":{"policy":{"switches":{"stdio":true}}}}""");
        var second = await _harness.WaitRolledOutAsync("kept", 1, notHostData: first.Status!.HostData);

        var raw = await RawGroupAsync();
        raw.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("futurePodField").GetProperty("mode").GetString()
            .Should().Be("strict", "the template keeps a Pod field the operator's models do not know");
        raw.GetProperty("metadata").GetProperty("annotations").GetProperty("other.example/owner").GetString().Should().Be("team-a");
        raw.GetProperty("metadata").GetProperty("finalizers").EnumerateArray().Select(f => f.GetString()).Should().Contain(ParmaLabels.Finalizer);
        second.Status!.Conditions!.Select(c => c.Type).Should().Contain(["Audited", GroupConditions.PolicyReady], "the status patch keeps another controller's condition");

        var configMap = await _harness.Client.GetAsync<V1ConfigMap>("kept-policy", "default");
        configMap.Data!["host-data"].Should().Be(second.Status.HostData, "the operator wrote the new policy");
        configMap.Data["audit-note"].Should().Be("seen");
        configMap.Metadata.Labels.Should().Contain("backup.example/include", "true").And.Contain(ParmaLabels.ManagedBy, ParmaLabels.ManagedByValue);
    }

    private async Task<JsonElement> RawGroupAsync() =>
        (JsonElement)await _harness.Client.CustomObjects.GetNamespacedCustomObjectAsync(ParmaApi.Group, ParmaApi.Version, "default", ParmaApi.Plural, "kept");
}
