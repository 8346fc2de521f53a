using Parma.Kube.Errors;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;

namespace Parma.Kube.Tests;

public sealed class WatchTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private IKubernetes Client => fixture.Client;

    [Fact]
    public async Task Watch_from_a_list_version_sees_added_modified_deleted_in_order()
    {
        var ns = await fixture.NewNamespaceAsync();
        var list = await Client.ListAsync<V1ConfigMap>(ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<(WatchEventType Type, V1ConfigMap Object)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in Client.WatchAsync<V1ConfigMap>(ns, new WatchOptions { ResourceVersion = list.Metadata.ResourceVersion, AllowWatchBookmarks = false }, cancellationToken: cts.Token))
            {
                events.Add(e);
                if (e.Type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        });

        var created = await Client.CreateAsync(TestObjects.ConfigMap(ns, "w"));
        created.Data!["k"] = "changed";
        await Client.ReplaceAsync(created);
        await Client.DeleteAsync<V1ConfigMap>("w", ns);
        await watching;

        events.Select(e => e.Type).Should().Equal(WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted);
        events[1].Object.Data!["k"].Should().Be("changed");
        var versions = events.Select(e => long.Parse(e.Object.Metadata.ResourceVersion!)).ToList();
        versions.Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task Watch_without_a_version_replays_current_objects_as_added()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CreateAsync(TestObjects.ConfigMap(ns, "a"));
        await Client.CreateAsync(TestObjects.ConfigMap(ns, "b"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var names = new List<string>();
        await foreach (var e in Client.WatchAsync<V1ConfigMap>(ns, cancellationToken: cts.Token))
        {
            e.Type.Should().Be(WatchEventType.Added);
            names.Add(e.Object.Metadata.Name!);
            if (names.Count == 2)
            {
                break;
            }
        }

        names.Should().BeEquivalentTo("a", "b");
    }

    [Fact]
    public async Task Idle_watches_get_bookmarks_carrying_the_current_version()
    {
        var ns = await fixture.NewNamespaceAsync();
        var list = await Client.ListAsync<V1ConfigMap>(ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var e in Client.WatchAsync<V1ConfigMap>(ns, new WatchOptions { ResourceVersion = list.Metadata.ResourceVersion, AllowWatchBookmarks = true }, cancellationToken: cts.Token))
        {
            e.Type.Should().Be(WatchEventType.Bookmark);
            long.Parse(e.Object.Metadata.ResourceVersion!).Should().BeGreaterThanOrEqualTo(long.Parse(list.Metadata.ResourceVersion!));
            break;
        }
    }

    [Fact]
    public async Task Label_selector_turns_objects_leaving_it_into_deleted_events()
    {
        var ns = await fixture.NewNamespaceAsync();
        var list = await Client.ListAsync<V1ConfigMap>(ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<(WatchEventType Type, V1ConfigMap Object)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in Client.WatchAsync<V1ConfigMap>(ns, new WatchOptions { ResourceVersion = list.Metadata.ResourceVersion, LabelSelector = "tier=web", AllowWatchBookmarks = false }, cancellationToken: cts.Token))
            {
                events.Add(e);
                if (events.Count == 2)
                {
                    return;
                }
            }
        });

        var cm = await Client.CreateAsync(TestObjects.ConfigMap(ns, "sel", labels: new() { ["tier"] = "web" }));
        cm.Metadata.Labels!["tier"] = "db";
        await Client.ReplaceAsync(cm);
        await watching;
        events.Select(e => e.Type).Should().Equal(WatchEventType.Added, WatchEventType.Deleted);
    }

    [Fact]
    public async Task Watching_from_a_compacted_version_fails_with_gone()
    {
        var ns = await fixture.NewNamespaceAsync();
        var old = await Client.CreateAsync(TestObjects.ConfigMap(ns, "old"));
        await Client.CreateAsync(TestObjects.ConfigMap(ns, "newer"));
        fixture.Server.Compact();

        var act = async () =>
        {
            await foreach (var unused in Client.WatchAsync<V1ConfigMap>(ns, new WatchOptions { ResourceVersion = old.Metadata.ResourceVersion }))
            {
            }
        };
        var gone = (await act.Should().ThrowAsync<KubeGoneException>()).Which;
        gone.Status.Reason.Should().Be("Expired");
        gone.Status.Code.Should().Be(410);
        gone.Status.Message.Should().StartWith($"too old resource version: {old.Metadata.ResourceVersion} (");
    }

    [Fact]
    public async Task A_dropped_connection_ends_the_stream_without_an_error()
    {
        var ns = await fixture.NewNamespaceAsync();
        var list = await Client.ListAsync<V1ConfigMap>(ns);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var open = new TaskCompletionSource();
        var ended = Task.Run(async () =>
        {
            await foreach (var unused in Client.WatchAsync<V1ConfigMap>(ns, new WatchOptions { ResourceVersion = list.Metadata.ResourceVersion, AllowWatchBookmarks = true }, cancellationToken: cts.Token))
            {
                open.TrySetResult();
            }
        });

        // The first bookmark proves the stream is established; then cut it (again, in case another watch was cut instead).
        await open.Task.WaitAsync(cts.Token);
        while (!ended.IsCompleted && !cts.IsCancellationRequested)
        {
            fixture.Server.DropWatchConnections();
            await Task.WhenAny(ended, Task.Delay(50, CancellationToken.None));
        }

        await ended.WaitAsync(cts.Token);
        ended.IsCompletedSuccessfully.Should().BeTrue();
    }
}
