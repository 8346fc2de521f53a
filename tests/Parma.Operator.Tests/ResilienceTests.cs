using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Operator.Tests.Support;
using Parma.Testing.ApiServer.Faults;

namespace Parma.Operator.Tests;

/// <summary>Conflicts, server errors, dropped and expired watches: the operator converges anyway, without duplicates.</summary>
[Collection(OperatorCollection.Name)]
public sealed class ResilienceTests(ImageRegistryFixture images) : IAsyncLifetime
{
    private OperatorHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await OperatorHarness.StartAsync(images);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Conflicts_server_errors_and_dropped_watches_still_converge()
    {
        await _harness.StartOperatorAsync();
        var faults = _harness.Server.Faults;
        faults.Add(new Fault { Matches = Fault.Verb("PUT", "/confidentialpodgroups/flaky/status"), StatusCode = 409, Count = 3 });
        faults.Add(new Fault { Matches = Fault.Verb("POST", "/pods"), StatusCode = 500, Count = 2 });
        faults.Add(new Fault { Matches = Fault.Verb("PATCH", "/confidentialpodgroups/flaky"), StatusCode = 409, Count = 1 });
        faults.Add(new Fault { Matches = Fault.Verb("POST", "/configmaps"), StatusCode = 500, Count = 1 });

        await _harness.CreateGroupAsync("flaky", images.Hello, replicas: 3);
        await Eventually.TrueAsync(async () => (await _harness.PodsAsync("flaky")).Count > 0, "the first pods");
        _harness.Server.DropWatchConnections();
        _harness.Server.Compact();

        await _harness.WaitRolledOutAsync("flaky", 3);
        (await _harness.PodsAsync("flaky")).Should().HaveCount(3);

        // The informers came back after the dropped (and expired) watches: a deleted pod is noticed.
        _harness.Server.DropWatchConnections();
        var victim = (await _harness.PodsAsync("flaky"))[0];
        await _harness.Client.DeleteAsync<V1Pod>(victim.Metadata.Name!, "default");
        await Eventually.TrueAsync(async () =>
        {
            var pods = await _harness.PodsAsync("flaky");
            return pods.Count == 3 && pods.All(p => p.Metadata.Uid != victim.Metadata.Uid);
        }, "the deleted pod to be replaced after the watch dropped");
        await _harness.WaitRolledOutAsync("flaky", 3);
    }
}
