using Parma.Kube.LeaderElection;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;

namespace Parma.Kube.Tests;

public sealed class LeaderElectionTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private static LeaderElectionConfig Config(string ns, string identity) => new()
    {
        LeaseName = "parma-operator",
        Namespace = ns,
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(2),
        RenewDeadline = TimeSpan.FromSeconds(1.5),
        RetryPeriod = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task Only_one_candidate_leads_and_the_other_takes_over_after_release()
    {
        var ns = await fixture.NewNamespaceAsync();
        var a = new LeaderElector(fixture.Client, Config(ns, "a"));
        var b = new LeaderElector(fixture.Client, Config(ns, "b"));

        using var stopA = new CancellationTokenSource();
        var aLeads = new TaskCompletionSource();
        var runA = a.RunAsync(async ct => { aLeads.SetResult(); await Task.Delay(Timeout.Infinite, ct); }, cancellationToken: stopA.Token);
        await aLeads.Task.WaitAsync(TimeSpan.FromSeconds(10));

        (await b.TryAcquireOrRenewAsync(CancellationToken.None)).Should().BeFalse("a holds a fresh lease");
        var lease = await fixture.Client.GetAsync<V1Lease>("parma-operator", ns);
        lease.Spec!.HolderIdentity.Should().Be("a");
        lease.Spec.LeaseDurationSeconds.Should().Be(2);

        using var stopB = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var bLeads = new TaskCompletionSource();
        var runB = b.RunAsync(async ct => { bLeads.SetResult(); await Task.Delay(Timeout.Infinite, ct); }, cancellationToken: stopB.Token);
        await Task.Delay(500);
        bLeads.Task.IsCompleted.Should().BeFalse();

        await stopA.CancelAsync();
        await runA;
        await bLeads.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var taken = await fixture.Client.GetAsync<V1Lease>("parma-operator", ns);
        taken.Spec!.HolderIdentity.Should().Be("b");
        taken.Spec.LeaseTransitions.Should().Be(1);

        await stopB.CancelAsync();
        await runB;
    }

    [Fact]
    public async Task An_expired_lease_of_a_vanished_holder_is_taken_over()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CreateAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "parma-operator", NamespaceProperty = ns },
            Spec = new V1LeaseSpec { HolderIdentity = "crashed", LeaseDurationSeconds = 1, RenewTime = DateTime.UtcNow.AddMinutes(-1) },
        });
        var elector = new LeaderElector(fixture.Client, Config(ns, "c"));
        (await elector.TryAcquireOrRenewAsync(CancellationToken.None)).Should().BeFalse("the record was just observed: wait a lease duration first");
        await Task.Delay(1100);
        (await elector.TryAcquireOrRenewAsync(CancellationToken.None)).Should().BeTrue();
    }

    [Fact]
    public async Task Losing_the_lease_stops_the_leaders_work()
    {
        var ns = await fixture.NewNamespaceAsync();
        var elector = new LeaderElector(fixture.Client, Config(ns, "d"));
        var leading = new TaskCompletionSource();
        var stopped = new TaskCompletionSource();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var run = elector.RunAsync(
            async ct =>
            {
                leading.SetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    stopped.TrySetResult();
                }
            },
            cancellationToken: cts.Token);
        await leading.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Someone else grabs the lease (as if our renewals had stalled).
        var lease = await fixture.Client.GetAsync<V1Lease>("parma-operator", ns);
        lease.Spec!.HolderIdentity = "usurper";
        lease.Spec.RenewTime = DateTime.UtcNow;
        await fixture.Client.ReplaceAsync(lease);

        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        elector.IsLeader.Should().BeFalse();
    }
}
