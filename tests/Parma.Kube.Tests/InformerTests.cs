using System.Collections.Concurrent;
using Parma.Kube.Informers;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Testing.ApiServer.Faults;

namespace Parma.Kube.Tests;

public sealed class InformerTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private static async Task Eventually(Func<bool> condition, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Lists_then_follows_changes_into_the_store_and_handlers()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "before", labels: new() { ["app"] = "x" }));
        var log = new ConcurrentQueue<string>();
        await using var informer = new Informer<V1ConfigMap>(fixture.Client, ns, new InformerOptions { PageSize = 1 })
            .OnAdd((o, _) => { log.Enqueue($"add {o.Metadata.Name}"); return Task.CompletedTask; })
            .OnUpdate((_, o, _) => { log.Enqueue($"update {o.Metadata.Name}"); return Task.CompletedTask; })
            .OnDelete((o, _) => { log.Enqueue($"delete {o.Metadata.Name}"); return Task.CompletedTask; });
        informer.Store.AddIndex("app", o => o.Metadata.Labels is { } l && l.TryGetValue("app", out var a) ? [a] : []);
        informer.Start();
        await informer.WaitForSyncAsync();
        informer.Store.Get(ns, "before").Should().NotBeNull();

        var after = await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "after", labels: new() { ["app"] = "x" }));
        after.Data!["k"] = "2";
        await fixture.Client.ReplaceAsync(after);
        await fixture.Client.DeleteAsync<V1ConfigMap>("before", ns);
        await Eventually(() => log.Contains("delete before") && log.Contains("update after"), "all events");

        log.Should().ContainInOrder("add before", "add after", "update after");
        informer.Store.Get(ns, "before").Should().BeNull();
        informer.Store.Get(ns, "after")!.Data!["k"].Should().Be("2");
        informer.Store.ByIndex("app", "x").Select(o => o.Metadata.Name).Should().Equal("after");
        informer.Store.ByIndex(InformerStore<V1ConfigMap>.NamespaceIndex, ns).Should().HaveCount(1);
    }

    [Fact]
    public async Task Disposing_twice_is_harmless()
    {
        var ns = await fixture.NewNamespaceAsync();
        var informer = new Informer<V1ConfigMap>(fixture.Client, ns);
        informer.Start();
        await informer.WaitForSyncAsync();
        await informer.DisposeAsync();
        var again = async () => await informer.DisposeAsync();
        await again.Should().NotThrowAsync("hosts may dispose an informer they also registered for disposal");
    }

    [Fact]
    public async Task Relists_after_410_and_reports_what_changed_meanwhile()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "keep"));
        await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "goes"));
        var deletes = new ConcurrentQueue<string>();
        await using var informer = new Informer<V1ConfigMap>(fixture.Client, ns)
            .OnDelete((o, _) => { deletes.Enqueue(o.Metadata.Name!); return Task.CompletedTask; });
        informer.Start();
        await informer.WaitForSyncAsync();
        informer.ListCount.Should().Be(1);

        // Cut the watch while it is down, change things, and expire the history: the informer must relist.
        fixture.Server.Faults.Add(new Fault { Matches = Fault.Watch($"/namespaces/{ns}/configmaps"), StatusCode = 500, Count = 1000 });
        await Eventually(() => fixture.Server.DropWatchConnections() > 0 || informer.ListCount > 1, "watch dropped");
        await fixture.Client.DeleteAsync<V1ConfigMap>("goes", ns);
        await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "new"));
        fixture.Server.Compact();
        fixture.Server.Faults.Clear();

        await Eventually(() => informer.Store.Get(ns, "new") is not null && informer.Store.Get(ns, "goes") is null, "relisted");
        deletes.Should().Contain("goes");
        informer.ListCount.Should().BeGreaterThan(1);
    }

    [Fact]
    public async Task Resync_redelivers_cached_objects_as_updates()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "r"));
        var updates = 0;
        await using var informer = new Informer<V1ConfigMap>(fixture.Client, ns, new InformerOptions { ResyncPeriod = TimeSpan.FromMilliseconds(100) })
            .OnUpdate((old, now, _) =>
            {
                if (ReferenceEquals(old, now))
                {
                    Interlocked.Increment(ref updates);
                }

                return Task.CompletedTask;
            });
        informer.Start();
        await Eventually(() => Volatile.Read(ref updates) >= 2, "two resyncs");
    }
}
