using k8s;
using k8s.Models;
using Parma.Kube.Resources;

namespace Parma.Kube.Tests;

public sealed class GarbageCollectionTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private async Task<(V1Deployment Owner, V1ConfigMap Dependent)> OwnerAndDependentAsync(string ns, bool blockOwnerDeletion = false)
    {
        var owner = await fixture.Client.CreateAsync(TestObjects.Deployment(ns, "owner"));
        var dependent = TestObjects.ConfigMap(ns, "dependent");
        dependent.Metadata.OwnerReferences =
        [
            new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "owner", Uid = owner.Metadata.Uid!, Controller = true, BlockOwnerDeletion = blockOwnerDeletion },
        ];
        return (owner, await fixture.Client.CreateAsync(dependent));
    }

    [Fact]
    public async Task Background_deletion_removes_dependents()
    {
        var ns = await fixture.NewNamespaceAsync();
        await OwnerAndDependentAsync(ns);
        await fixture.Client.DeleteAsync<V1Deployment>("owner", ns, new V1DeleteOptions { PropagationPolicy = "Background" });
        (await fixture.Client.GetOrDefaultAsync<V1Deployment>("owner", ns)).Should().BeNull();
        (await fixture.Client.GetOrDefaultAsync<V1ConfigMap>("dependent", ns)).Should().BeNull();
    }

    [Fact]
    public async Task Orphan_deletion_keeps_dependents_and_drops_their_owner_reference()
    {
        var ns = await fixture.NewNamespaceAsync();
        await OwnerAndDependentAsync(ns);
        await fixture.Client.DeleteAsync<V1Deployment>("owner", ns, new V1DeleteOptions { PropagationPolicy = "Orphan" });
        (await fixture.Client.GetOrDefaultAsync<V1Deployment>("owner", ns)).Should().BeNull();
        var orphan = await fixture.Client.GetAsync<V1ConfigMap>("dependent", ns);
        orphan.Metadata.OwnerReferences.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task Foreground_deletion_waits_for_blocking_dependents_with_finalizers()
    {
        var ns = await fixture.NewNamespaceAsync();
        var (_, dependent) = await OwnerAndDependentAsync(ns, blockOwnerDeletion: true);
        dependent.Metadata.Finalizers = ["parma.dev/hold"];
        dependent = await fixture.Client.ReplaceAsync(dependent);

        var deleting = await fixture.Client.DeleteAsync<V1Deployment>("owner", ns, new V1DeleteOptions { PropagationPolicy = "Foreground" });
        deleting!.Metadata.Finalizers.Should().Contain("foregroundDeletion");
        (await fixture.Client.GetAsync<V1Deployment>("owner", ns)).Metadata.DeletionTimestamp.Should().NotBeNull("the blocking dependent is still there");
        var held = await fixture.Client.GetAsync<V1ConfigMap>("dependent", ns);
        held.Metadata.DeletionTimestamp.Should().NotBeNull();

        held.Metadata.Finalizers = null;
        await fixture.Client.ReplaceAsync(held);
        (await fixture.Client.GetOrDefaultAsync<V1ConfigMap>("dependent", ns)).Should().BeNull();
        (await fixture.Client.GetOrDefaultAsync<V1Deployment>("owner", ns)).Should().BeNull();
    }

    [Fact]
    public async Task Background_deletion_cascades_through_a_chain_of_owners()
    {
        var ns = await fixture.NewNamespaceAsync();
        var (_, middle) = await OwnerAndDependentAsync(ns);
        var leaf = TestObjects.ConfigMap(ns, "leaf");
        leaf.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "dependent", Uid = middle.Metadata.Uid! }];
        await fixture.Client.CreateAsync(leaf);
        var bystander = await fixture.Client.CreateAsync(TestObjects.ConfigMap(ns, "bystander"));

        await fixture.Client.DeleteAsync<V1Deployment>("owner", ns);

        (await fixture.Client.GetOrDefaultAsync<V1ConfigMap>("dependent", ns)).Should().BeNull();
        (await fixture.Client.GetOrDefaultAsync<V1ConfigMap>("leaf", ns)).Should().BeNull("its owner went with the first owner");
        (await fixture.Client.GetAsync<V1ConfigMap>("bystander", ns)).Metadata.ResourceVersion.Should().Be(bystander.Metadata.ResourceVersion, "objects without owners are not touched");
    }

    [Fact]
    public async Task An_object_created_with_only_missing_owners_is_collected_and_one_with_a_live_owner_is_kept()
    {
        var ns = await fixture.NewNamespaceAsync();
        var owner = await fixture.Client.CreateAsync(TestObjects.Deployment(ns, "owner"));
        var dangling = TestObjects.ConfigMap(ns, "dangling");
        dangling.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "gone", Uid = Guid.NewGuid().ToString() }];
        await fixture.Client.CreateAsync(dangling);
        var halfOwned = TestObjects.ConfigMap(ns, "half-owned");
        halfOwned.Metadata.OwnerReferences =
        [
            new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "gone", Uid = Guid.NewGuid().ToString() },
            new V1OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = "owner", Uid = owner.Metadata.Uid! },
        ];
        await fixture.Client.CreateAsync(halfOwned);

        (await fixture.Client.GetOrDefaultAsync<V1ConfigMap>("dangling", ns)).Should().BeNull();
        (await fixture.Client.GetOrDefaultAsync<V1ConfigMap>("half-owned", ns)).Should().NotBeNull("one of its owners exists");

        // Dropping the live owner from the references leaves only the missing one: collected on that update.
        var current = await fixture.Client.GetAsync<V1ConfigMap>("half-owned", ns);
        current.Metadata.OwnerReferences = [current.Metadata.OwnerReferences![0]];
        await fixture.Client.ReplaceAsync(current);
        (await fixture.Client.GetOrDefaultAsync<V1ConfigMap>("half-owned", ns)).Should().BeNull();
    }
}

public sealed class NamespaceDeletionTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    [Fact]
    public async Task Deleting_a_namespace_deletes_its_content_and_resource_clients_scope_to_it()
    {
        var ns = await fixture.NewNamespaceAsync();
        var configMaps = fixture.Client.Resource<V1ConfigMap>();
        await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "inside", NamespaceProperty = ns } });
        (await configMaps.ListAsync(ns)).Items.Should().ContainSingle();

        await fixture.Client.DeleteAsync<V1Namespace>(ns);
        (await configMaps.GetOrDefaultAsync("inside", ns)).Should().BeNull();
    }
}
