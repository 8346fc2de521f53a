using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Operator.Events;
using Parma.Operator.Tests.Support;

namespace Parma.Operator.Tests;

/// <summary>Two replicas: one leads (holds the Lease and is the only writer); the other takes over when it stops.</summary>
[Collection(OperatorCollection.Name)]
public sealed class LeaderElectionTests(ImageRegistryFixture images) : IAsyncLifetime
{
    private OperatorHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await OperatorHarness.StartAsync(images);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Two_replicas_elect_one_leader_which_alone_writes_and_the_other_takes_over()
    {
        var a = await _harness.StartOperatorAsync("operator-a");
        var b = await _harness.StartOperatorAsync("operator-b");
        await Eventually.TrueAsync(() => Task.FromResult(a.IsLeader || b.IsLeader), "a leader");
        var (leader, standby) = a.IsLeader ? (a, b) : (b, a);

        await _harness.CreateGroupAsync("led", images.Hello, replicas: 2);
        await _harness.WaitRolledOutAsync("led", 2);

        standby.IsLeader.Should().BeFalse();
        var lease = await _harness.Client.GetAsync<V1Lease>("parma-operator", "default");
        lease.Spec!.HolderIdentity.Should().Be(leader.Identity);
        var events = await _harness.Client.ListAsync<Corev1Event>("default");
        events.Items.Should().NotBeEmpty().And.OnlyContain(e => e.ReportingInstance == leader.Identity, "only the leader writes");

        await leader.StopAsync();
        await Eventually.TrueAsync(() => Task.FromResult(standby.IsLeader), "the standby to take over");
        await _harness.PatchGroupAsync("led", """{"spec":{"replicas":3}}""");
        await _harness.WaitRolledOutAsync("led", 3);
        (await _harness.Client.GetAsync<V1Lease>("parma-operator", "default")).Spec!.HolderIdentity.Should().Be(standby.Identity);
    }
}
