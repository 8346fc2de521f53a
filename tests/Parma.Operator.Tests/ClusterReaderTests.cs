using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Kube.Client;
using Parma.Kube.Informers;
using Parma.Kube.Resources;
using Parma.Operator.Reads;
using Parma.Testing;
using Parma.Testing.ApiServer;

namespace Parma.Operator.Tests;

/// <summary>The operator's reads: cached sites answer from the informer store, live sites and a group marked stale after a Conflict from the API server.</summary>
public sealed class ClusterReaderTests
{
    [Fact]
    public async Task Cached_reads_come_from_the_store_live_reads_and_stale_groups_from_the_api_server()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.CreateManifestsAsync(File.ReadAllText(RepoPaths.InRepo("crds", ConfidentialPodGroupCrd.FileName)));
        using var client = KubeClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(server.Kubeconfig()))));
        await server.CreateManifestsAsync("""
            apiVersion: parma.dev/v1alpha1
            kind: ConfidentialPodGroup
            metadata:
              name: g
            spec:
              template:
                spec:
                  containers: [{name: a, image: registry.example/a:1}]
            """);
        var caches = new WatchCaches();
        var reader = new ClusterReader(client, caches);
        var informer = new Informer<ConfidentialPodGroup>(client);
        informer.Start();
        await informer.WaitForSyncAsync(CancellationToken.None);
        caches.Attach(informer.Store);
        await informer.DisposeAsync(); // the store keeps what it saw: a cache that is now behind

        var cached = await reader.GetAsync<ConfidentialPodGroup>(ReadSites.Group, "default", "g", CancellationToken.None);
        await client.PatchAsync<ConfidentialPodGroup>("g", "default", KubePatch.Merge("""{"metadata":{"labels":{"changed":"yes"}}}"""));

        (await reader.GetAsync<ConfidentialPodGroup>(ReadSites.Group, "default", "g", CancellationToken.None))!.Metadata.ResourceVersion
            .Should().Be(cached!.Metadata.ResourceVersion, "a cached site answers from the store");
        (await reader.GetAsync<ConfidentialPodGroup>(ReadSites.BeforeDelete, "default", "g", CancellationToken.None))!.Metadata.Labels
            .Should().ContainKey("changed", "a live site asks the API server");

        reader.MarkStale<ConfidentialPodGroup>("default", "g");
        (await reader.GetAsync<ConfidentialPodGroup>(ReadSites.Group, "default", "g", CancellationToken.None))!.Metadata.Labels
            .Should().ContainKey("changed", "after a Conflict the group's next read is live");
        (await reader.GetAsync<ConfidentialPodGroup>(ReadSites.Group, "default", "g", CancellationToken.None))!.Metadata.ResourceVersion
            .Should().Be(cached.Metadata.ResourceVersion, "only the next one");

        caches.DetachAll();
        (await reader.GetAsync<ConfidentialPodGroup>(ReadSites.Group, "default", "g", CancellationToken.None))!.Metadata.Labels
            .Should().ContainKey("changed", "without a running controller's caches every read is live");
        var listCached = () => reader.ListAsync<V1Pod>(ReadSites.GroupInputs, "default", "a=b", CancellationToken.None);
        await listCached.Should().ThrowAsync<InvalidOperationException>("pods are listed live only");
    }
}
