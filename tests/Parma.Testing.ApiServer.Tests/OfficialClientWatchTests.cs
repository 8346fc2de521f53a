using System.Text.Json;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Testing.ApiServer;

namespace Parma.Testing.ApiServer.Tests;

/// <summary>
/// Watches through the official client: events, bookmarks, and the 410 Gone a compacted history produces,
/// which the client reports only through its error callback (then the stream ends and the caller relists).
/// This is the loop the shared informer will run on top of the library.
/// </summary>
public sealed class OfficialClientWatchTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private TestApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        await _server.CreateManifestsAsync(File.ReadAllText(RepoPaths.InRepo("crds", "parma.dev_confidentialpodgroups.yaml")));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_pod_watch_sees_changes_then_bookmarks_at_the_latest_revision()
    {
        using var client = OfficialClient.For(_server);
        var start = (await client.CoreV1.ListNamespacedPodAsync("default")).Metadata.ResourceVersion;
        using var stop = new CancellationTokenSource(Patience);
        var errors = new List<Exception>();
        var events = Collect(client.CoreV1.WatchListNamespacedPodAsync(
            "default", resourceVersion: start, allowWatchBookmarks: true, onError: errors.Add, cancellationToken: stop.Token));

        var created = await client.CoreV1.CreateNamespacedPodAsync(Pod("web"), "default");
        await client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.MergePatch), "web", "default");
        await client.CoreV1.DeleteNamespacedPodAsync("web", "default");

        var seen = await NextAsync(events, 3, stop.Token, skipBookmarks: true);
        seen.Select(e => (e.Type, e.Object.Metadata.Name)).Should().Equal(
            (WatchEventType.Added, "web"), (WatchEventType.Modified, "web"), (WatchEventType.Deleted, "web"));
        long.Parse(seen[2].Object.Metadata.ResourceVersion).Should().BeGreaterThan(long.Parse(created.Metadata.ResourceVersion));

        var bookmark = (await NextAsync(events, 1, stop.Token, skipBookmarks: false)).Single();
        bookmark.Type.Should().Be(WatchEventType.Bookmark);
        bookmark.Object.Metadata.ResourceVersion.Should().Be(seen[2].Object.Metadata.ResourceVersion, "an idle watch's bookmark carries the last revision it delivered");
        errors.Should().BeEmpty();
    }

    [Fact]
    public async Task A_watch_from_a_compacted_revision_reports_410_through_the_error_callback_and_a_relist_resumes()
    {
        using var client = OfficialClient.For(_server);
        var before = (await client.CoreV1.ListNamespacedPodAsync("default")).Metadata.ResourceVersion;
        await client.CoreV1.CreateNamespacedPodAsync(Pod("web"), "default");
        _server.Compact();
        using var stop = new CancellationTokenSource(Patience);

        var errors = new List<Exception>();
        var stale = new List<(WatchEventType, V1Pod)>();
        await foreach (var change in client.CoreV1.WatchListNamespacedPodAsync(
            "default", resourceVersion: before, allowWatchBookmarks: true, onError: errors.Add, cancellationToken: stop.Token))
        {
            stale.Add(change);
        }

        stale.Should().BeEmpty("the server answers a compacted revision with one ERROR event and ends the stream");
        var gone = errors.Should().ContainSingle().Which.Should().BeOfType<KubernetesException>().Subject;
        gone.Status.Code.Should().Be(410);
        gone.Status.Reason.Should().Be("Expired");

        // The relist sees the pod created before the compaction; a watch from its revision resumes.
        var relisted = await client.CoreV1.ListNamespacedPodAsync("default");
        relisted.Items.Select(p => p.Metadata.Name).Should().Equal("web");
        var resumed = Collect(client.CoreV1.WatchListNamespacedPodAsync(
            "default", resourceVersion: relisted.Metadata.ResourceVersion, onError: errors.Add, cancellationToken: stop.Token));
        await client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.MergePatch), "web", "default");
        var next = (await NextAsync(resumed, 1, stop.Token, skipBookmarks: true)).Single();
        next.Type.Should().Be(WatchEventType.Modified);
        next.Object.Metadata.Labels.Should().Contain("a", "b");
        errors.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_custom_object_watch_with_a_field_selector_sees_only_the_named_object()
    {
        using var client = OfficialClient.For(_server);
        var start = (await client.CustomObjects.ListNamespacedCustomObjectAsync<ResourceList<TestGroup>>(TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural))
            .Metadata.ResourceVersion;
        using var stop = new CancellationTokenSource(Patience);
        var errors = new List<Exception>();
        // The library's custom-object watch yields untyped JSON; the caller types it.
        var events = Collect(Typed(client.CustomObjects.WatchListNamespacedCustomObjectAsync(
            TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural,
            fieldSelector: "metadata.name=wanted", resourceVersion: start, onError: errors.Add, cancellationToken: stop.Token)));

        await client.CustomObjects.CreateNamespacedCustomObjectAsync<TestGroup>(TestGroup.Named("other"), TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural);
        // Created by a server-side apply: one write, so one ADDED event.
        await client.CustomObjects.PatchNamespacedCustomObjectAsync<TestGroup>(
            new V1Patch(TestGroup.Named("wanted"), V1Patch.PatchType.ApplyPatch), TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural, "wanted",
            fieldManager: "parma-operator");
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<TestGroup>(
            new V1Patch("""{"status":{"conditions":[{"type":"Available","status":"True","reason":"Ready","message":"","lastTransitionTime":"2025-01-01T00:00:00Z"}]}}""", V1Patch.PatchType.MergePatch),
            TestGroup.Group, TestGroup.Version, "default", TestGroup.Plural, "wanted");

        var seen = await NextAsync(events, 2, stop.Token, skipBookmarks: true);
        seen.Select(e => (e.Type, e.Object.Metadata.Name)).Should().Equal((WatchEventType.Added, "wanted"), (WatchEventType.Modified, "wanted"));
        seen[1].Object.Status!["conditions"]![0]!["type"]!.GetValue<string>().Should().Be("Available");
        errors.Should().BeEmpty();
    }

    private static async IAsyncEnumerable<(WatchEventType, TestGroup)> Typed(IAsyncEnumerable<(WatchEventType, object)> watch)
    {
        await foreach (var (type, obj) in watch)
        {
            yield return (type, ((JsonElement)obj).Deserialize<TestGroup>()!);
        }
    }

    private static Channel<(WatchEventType Type, T Object)> Collect<T>(IAsyncEnumerable<(WatchEventType, T)> watch)
    {
        var channel = Channel.CreateUnbounded<(WatchEventType Type, T Object)>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in watch)
                {
                    await channel.Writer.WriteAsync(change);
                }

                channel.Writer.TryComplete();
            }
            catch (Exception e) when (e is OperationCanceledException or HttpOperationException or HttpRequestException or IOException)
            {
                channel.Writer.TryComplete(e);
            }
        });
        return channel;
    }

    private static async Task<List<(WatchEventType Type, T Object)>> NextAsync<T>(
        Channel<(WatchEventType Type, T Object)> events, int count, CancellationToken cancellationToken, bool skipBookmarks)
    {
        var taken = new List<(WatchEventType Type, T Object)>();
        while (taken.Count < count)
        {
            var change = await events.Reader.ReadAsync(cancellationToken);
            if (!(skipBookmarks && change.Type == WatchEventType.Bookmark))
            {
                taken.Add(change);
            }
        }

        return taken;
    }

    private static V1Pod Pod(string name) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "busybox" }] },
    };
}
