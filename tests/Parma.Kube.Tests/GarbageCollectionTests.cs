using Parma.Kube.Client;
using Parma.Kube.Models;

namespace Parma.Kube.Tests;

public sealed class GarbageCollectionTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private async Task<(Deployment Owner, ConfigMap Dependent)> OwnerAndDependentAsync(string ns, bool blockOwnerDeletion = false)
    {
        var owner = await fixture.Client.CreateAsync(TestObjects.Deployment(ns, "owner"));
        var dependent = TestObjects.ConfigMap(ns, "dependent");
        dependent.Metadata.OwnerReferences =
        [
            new OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "owner", Uid = owner.Metadata.Uid!, Controller = true, BlockOwnerDeletion = blockOwnerDeletion },
        ];
        return (owner, await fixture.Client.CreateAsync(dependent));
    }

    [Fact]
    public async Task Background_deletion_removes_dependents()
    {
        var ns = await fixture.NewNamespaceAsync();
        await OwnerAndDependentAsync(ns);
        await fixture.Client.DeleteAsync<Deployment>("owner", ns, new DeleteOptions { PropagationPolicy = "Background" });
        (await fixture.Client.GetOrDefaultAsync<Deployment>("owner", ns)).Should().BeNull();
        (await fixture.Client.GetOrDefaultAsync<ConfigMap>("dependent", ns)).Should().BeNull();
    }

    [Fact]
    public async Task Orphan_deletion_keeps_dependents_and_drops_their_owner_reference()
    {
        var ns = await fixture.NewNamespaceAsync();
        await OwnerAndDependentAsync(ns);
        await fixture.Client.DeleteAsync<Deployment>("owner", ns, new DeleteOptions { PropagationPolicy = "Orphan" });
        (await fixture.Client.GetOrDefaultAsync<Deployment>("owner", ns)).Should().BeNull();
        var orphan = await fixture.Client.GetAsync<ConfigMap>("dependent", ns);
        orphan.Metadata.OwnerReferences.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task Foreground_deletion_waits_for_blocking_dependents_with_finalizers()
    {
        var ns = await fixture.NewNamespaceAsync();
        var (_, dependent) = await OwnerAndDependentAsync(ns, blockOwnerDeletion: true);
        dependent.Metadata.Finalizers = ["parma.dev/hold"];
        dependent = await fixture.Client.ReplaceAsync(dependent);

        var deleting = await fixture.Client.DeleteAsync<Deployment>("owner", ns, new DeleteOptions { PropagationPolicy = "Foreground" });
        deleting!.Metadata.Finalizers.Should().Contain("foregroundDeletion");
        (await fixture.Client.GetAsync<Deployment>("owner", ns)).Metadata.DeletionTimestamp.Should().NotBeNull("the blocking dependent is still there");
        var held = await fixture.Client.GetAsync<ConfigMap>("dependent", ns);
        held.Metadata.DeletionTimestamp.Should().NotBeNull();

        held.Metadata.Finalizers = null;
        await fixture.Client.ReplaceAsync(held);
        (await fixture.Client.GetOrDefaultAsync<ConfigMap>("dependent", ns)).Should().BeNull();
        (await fixture.Client.GetOrDefaultAsync<Deployment>("owner", ns)).Should().BeNull();
    }
}

public sealed class NamespaceDeletionTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    [Fact]
    public async Task Deleting_a_namespace_deletes_its_content_and_resource_clients_scope_to_it()
    {
        var ns = await fixture.NewNamespaceAsync();
        var configMaps = fixture.Client.For<ConfigMap>(ns);
        await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "inside" } });
        (await configMaps.ListAsync()).Items.Should().ContainSingle();

        await fixture.Client.DeleteAsync<Namespace>(ns);
        (await configMaps.GetOrDefaultAsync("inside")).Should().BeNull();
    }
}
