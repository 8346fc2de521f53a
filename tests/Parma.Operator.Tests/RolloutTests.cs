using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Api;
using Parma.Operator.Events;
using Parma.Operator.Tests.Support;

namespace Parma.Operator.Tests;

/// <summary>A tag that moves to another digest means a new policy, and pods replaced (never patched) within maxUnavailable.</summary>
[Collection(OperatorCollection.Name)]
public sealed class RolloutTests(ImageRegistryFixture images) : IAsyncLifetime
{
    private OperatorHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await OperatorHarness.StartAsync(images, podStartup: TimeSpan.FromMilliseconds(300));

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task A_moved_tag_rolls_the_pods_to_a_new_policy_within_max_unavailable()
    {
        await _harness.StartOperatorAsync();
        var repository = $"parma/moving-{Guid.NewGuid():N}";
        await images.PushAsync(repository, "v1");
        var image = $"{images.Registry.Host}/{repository}:v1";
        await _harness.CreateGroupAsync("roll", image, replicas: 3, extraSpec: "  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 1");
        var before = await _harness.WaitRolledOutAsync("roll", 3);
        var oldPods = (await _harness.PodsAsync("roll")).Select(p => p.Metadata.Uid).ToList();
        await using var observer = await PodObserver.StartAsync(_harness.Client, "roll");

        var newDigest = await images.PushAsync(repository, "v1", logShipper: true);

        var after = await _harness.WaitRolledOutAsync("roll", 3, notHostData: before.Status!.HostData);
        after.Status!.Images!.Single().Digest.Should().Be(newDigest);
        after.Status.Images!.Single().Digest.Should().NotBe(before.Status.Images!.Single().Digest);
        (await _harness.PodsAsync("roll")).Select(p => p.Metadata.Uid).Should().NotIntersectWith(oldPods, "every pod was replaced");
        observer.PatchedInPlace.Should().BeEmpty("a running UVM's policy cannot change, so pods are replaced");
        observer.MaxActive.Should().BeLessThanOrEqualTo(3, "no surge: never more pods than replicas");
        observer.MinReady.Should().BeGreaterThanOrEqualTo(2, "maxUnavailable 1 of 3 keeps at least 2 ready");
        var events = await _harness.Client.ListAsync<Corev1Event>("default");
        events.Items.Where(e => e.Reason == "PodReplaced").Should().HaveCount(3);
        events.Items.Where(e => e.Reason == GroupConditions.Reasons.PolicyGenerated).Should().HaveCount(2);
    }

    [Fact]
    public async Task An_operator_restarted_mid_rollout_creates_no_duplicate_pods()
    {
        var first = await _harness.StartOperatorAsync("operator-a");
        var repository = $"parma/restart-{Guid.NewGuid():N}";
        await images.PushAsync(repository, "v1");
        await _harness.CreateGroupAsync("restart", $"{images.Registry.Host}/{repository}:v1", replicas: 3);
        var before = await _harness.WaitRolledOutAsync("restart", 3);
        await using var observer = await PodObserver.StartAsync(_harness.Client, "restart");
        _harness.Kubelet.StartupDelay = TimeSpan.FromSeconds(1);

        await images.PushAsync(repository, "v1", logShipper: true);
        await Eventually.TrueAsync(
            async () => (await _harness.PodsAsync("restart")).Any(p => p.Metadata.Annotations![ParmaLabels.HostDataAnnotation] != before.Status!.HostData),
            "the rollout to start");
        await first.StopAsync();
        await _harness.StartOperatorAsync("operator-b");

        await _harness.WaitRolledOutAsync("restart", 3, notHostData: before.Status!.HostData);
        observer.MaxActive.Should().BeLessThanOrEqualTo(3, "the restarted operator found the pods its predecessor created");
        observer.PatchedInPlace.Should().BeEmpty();
        (await _harness.PodsAsync("restart")).Should().HaveCount(3);
    }
}
