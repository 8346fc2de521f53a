using System.Text.Json.Nodes;
using Parma.Api;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Operator.Events;
using Parma.Operator.Tests.Support;

namespace Parma.Operator.Tests;

/// <summary>Pods that fail or cannot start make the group Degraded=True/PodsFailing, naming them; recovery clears it.</summary>
[Collection(OperatorCollection.Name)]
public sealed class PodFailureTests(ImageRegistryFixture images) : IAsyncLifetime
{
    private OperatorHarness _harness = null!;

    public async Task InitializeAsync()
    {
        _harness = await OperatorHarness.StartAsync(images);
        await _harness.StartOperatorAsync(leaderElect: false);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_crash_looping_pod_degrades_the_group_until_it_recovers()
    {
        await _harness.CreateGroupAsync("crashy", images.Hello, replicas: 2);
        await _harness.WaitRolledOutAsync("crashy", 2);
        var pod = (await _harness.PodsAsync("crashy"))[0];

        await SetStatusAsync(pod, V1ContainerStatus(pod, ready: false, new JsonObject
        {
            ["waiting"] = new JsonObject { ["reason"] = "CrashLoopBackOff", ["message"] = "back-off 40s restarting failed container=app" },
        }));
        var degraded = await WaitDegradedAsync("crashy", "True/PodsFailing");
        var message = ConditionList.Find(degraded.Status!.Conditions, GroupConditions.Degraded)!.Message;
        message.Should().Contain(pod.Metadata.Name!).And.Contain("container app CrashLoopBackOff").And.Contain("back-off 40s");
        OperatorHarness.Condition(degraded, GroupConditions.PolicyReady).Should().Be("True/PolicyGenerated", "the policy is fine; the pods are not");
        await Eventually.TrueAsync(async () =>
        {
            var events = await _harness.Client.ListAsync<Corev1Event>("default");
            return events.Items.Any(e => e.Reason == GroupConditions.Reasons.PodsFailing && e.Type == "Warning" && e.Message!.Contains(pod.Metadata.Name!));
        }, "a PodsFailing warning event naming the pod");

        await SetStatusAsync(pod, V1ContainerStatus(pod, ready: true, new JsonObject
        {
            ["running"] = new JsonObject { ["startedAt"] = "2026-11-21T22:00:00Z" },
        }));
        await WaitDegradedAsync("crashy", "False/AsExpected");
    }

    [Fact]
    public async Task A_failed_pod_is_reported_and_replaced()
    {
        await _harness.CreateGroupAsync("evicted", images.Hello, replicas: 1);
        await _harness.WaitRolledOutAsync("evicted", 1);
        var pod = (await _harness.PodsAsync("evicted"))[0];

        _harness.Kubelet.Paused = true;
        await _harness.Client.PatchStatusAsync<V1Pod>(pod.Metadata.Name!, "default", KubePatch.Merge(new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["phase"] = "Failed",
                ["reason"] = "Evicted",
                ["message"] = "The node was low on resource: memory.",
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "False" }),
            },
        }));

        var warning = await Eventually.GetAsync(async () =>
        {
            var events = await _harness.Client.ListAsync<Corev1Event>("default");
            return events.Items.FirstOrDefault(e => e.Reason == GroupConditions.Reasons.PodsFailing && e.Message!.Contains(pod.Metadata.Name!));
        }, "a PodsFailing warning naming the failed pod");
        warning.Message.Should().Contain("Failed (Evicted: The node was low on resource: memory.)");
        await Eventually.TrueAsync(async () => (await _harness.PodsAsync("evicted")).All(p => p.Metadata.Uid != pod.Metadata.Uid), "the failed pod to be replaced");

        _harness.Kubelet.Paused = false;
        await _harness.WaitRolledOutAsync("evicted", 1);
        await WaitDegradedAsync("evicted", "False/AsExpected");
    }

    private Task<ConfidentialPodGroup> WaitDegradedAsync(string name, string expected) =>
        Eventually.GetAsync(async () =>
        {
            var group = await _harness.GroupAsync(name);
            return OperatorHarness.Condition(group, GroupConditions.Degraded) == expected ? group : null;
        }, $"Degraded={expected} on {name}");

    private static JsonObject V1ContainerStatus(V1Pod pod, bool ready, JsonObject state) => new()
    {
        ["name"] = "app",
        ["ready"] = ready,
        ["restartCount"] = ready ? 4 : 3,
        ["image"] = pod.Spec!.Containers[0].Image,
        ["imageID"] = pod.Spec.Containers[0].Image,
        ["state"] = state,
    };

    private async Task SetStatusAsync(V1Pod pod, JsonObject containerStatus) =>
        await _harness.Client.PatchStatusAsync<V1Pod>(pod.Metadata.Name!, "default", KubePatch.Merge(new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = containerStatus["ready"]!.GetValue<bool>() ? "True" : "False" }),
                ["containerStatuses"] = new JsonArray(containerStatus),
            },
        }));
}
