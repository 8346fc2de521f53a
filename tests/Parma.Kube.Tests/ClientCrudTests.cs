using System.Text.Json.Nodes;
using Parma.Kube.Errors;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;

namespace Parma.Kube.Tests;

public sealed class ClientCrudTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private IKubernetes Client => fixture.Client;

    [Fact]
    public async Task Create_then_get_round_trips_and_sets_server_fields()
    {
        var ns = await fixture.NewNamespaceAsync();
        var created = await Client.CreateAsync(TestObjects.Pod(ns, "web"));

        created.Metadata.Uid.Should().NotBeNullOrEmpty();
        created.Metadata.ResourceVersion.Should().NotBeNullOrEmpty();
        created.Metadata.CreationTimestamp.Should().BeCloseTo(DateTime.UtcNow, TimeSpan.FromMinutes(1));
        created.Status!.Phase.Should().Be("Pending");

        var read = await Client.GetAsync<V1Pod>("web", ns);
        read.Spec!.Containers[0].LivenessProbe!.HttpGet!.Port.ToInt().Should().Be(8080);
        read.Spec.RuntimeClassName.Should().Be("kata-qemu-snp");
        read.Metadata.ResourceVersion.Should().Be(created.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Get_of_a_missing_object_throws_not_found_with_the_server_status()
    {
        var ns = await fixture.NewNamespaceAsync();
        var act = () => Client.GetAsync<V1ConfigMap>("absent", ns);
        var error = (await act.Should().ThrowAsync<KubeNotFoundException>()).Which;
        error.Status.Reason.Should().Be("NotFound");
        error.Status.Message.Should().Be("configmaps \"absent\" not found");
        error.Status.Code.Should().Be(404);
        (await Client.GetOrDefaultAsync<V1ConfigMap>("absent", ns)).Should().BeNull();
    }

    [Fact]
    public async Task Creating_twice_is_already_exists()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CreateAsync(TestObjects.ConfigMap(ns, "dup"));
        var act = () => Client.CreateAsync(TestObjects.ConfigMap(ns, "dup"));
        (await act.Should().ThrowAsync<KubeAlreadyExistsException>()).Which.Status.Message.Should().Be("configmaps \"dup\" already exists");
    }

    [Fact]
    public async Task Replace_with_a_stale_resource_version_is_a_conflict()
    {
        var ns = await fixture.NewNamespaceAsync();
        var first = await Client.CreateAsync(TestObjects.ConfigMap(ns, "cm"));
        first.Data!["k"] = "v2";
        var second = await Client.ReplaceAsync(first);
        long.Parse(second.Metadata.ResourceVersion!).Should().BeGreaterThan(long.Parse(first.Metadata.ResourceVersion!));

        first.Data["k"] = "v3";
        var act = () => Client.ReplaceAsync(first);
        var conflict = (await act.Should().ThrowAsync<KubeConflictException>()).Which;
        conflict.Status.Message.Should().Be(
            "Operation cannot be fulfilled on configmaps \"cm\": the object has been modified; please apply your changes to the latest version and try again");
    }

    [Fact]
    public async Task Fields_a_writer_does_not_send_survive_its_patch()
    {
        var ns = await fixture.NewNamespaceAsync();
        var pod = TestObjects.Pod(ns, "future");
        pod.Spec!.HostUsers = false;
        await Client.CreateAsync(pod);

        // A controller patches what it owns, never PUTs back a whole object read earlier.
        var written = await Client.PatchAsync<V1Pod>("future", ns, KubePatch.Merge("""{"metadata":{"labels":{"touched":"yes"}}}"""));
        written.Metadata.Labels.Should().Contain("touched", "yes");
        written.Spec!.HostUsers.Should().BeFalse();
    }

    [Fact]
    public async Task List_pages_with_limit_and_continue()
    {
        var ns = await fixture.NewNamespaceAsync();
        for (var i = 0; i < 7; i++)
        {
            await Client.CreateAsync(TestObjects.ConfigMap(ns, $"cm-{i}", labels: new() { ["parity"] = i % 2 == 0 ? "even" : "odd" }));
        }

        var page = await Client.ListAsync<V1ConfigMap>(ns, new ListOptions { Limit = 3 });
        page.Items.Should().HaveCount(3);
        page.Metadata.ContinueProperty.Should().NotBeNullOrEmpty();
        page.Metadata.RemainingItemCount.Should().Be(4);

        var all = await Client.ListAllAsync<V1ConfigMap>(ns, new ListOptions { Limit = 2 }).ToListAsync();
        all.Select(c => c.Metadata.Name).Should().Equal(Enumerable.Range(0, 7).Select(i => $"cm-{i}"));

        var even = await Client.ListAllAsync<V1ConfigMap>(ns, new ListOptions { LabelSelector = "parity=even" }).ToListAsync();
        even.Should().HaveCount(4);
        var notEven = await Client.ListAllAsync<V1ConfigMap>(ns, new ListOptions { LabelSelector = "parity notin (even)" }).ToListAsync();
        notEven.Should().HaveCount(3);
        var byName = await Client.ListAllAsync<V1ConfigMap>(ns, new ListOptions { FieldSelector = "metadata.name=cm-5" }).ToListAsync();
        byName.Should().ContainSingle().Which.Metadata.Name.Should().Be("cm-5");
    }

    [Fact]
    public async Task Status_subresource_and_main_endpoint_ignore_each_others_fields_and_generation_tracks_spec()
    {
        var ns = await fixture.NewNamespaceAsync();
        var created = await Client.CreateAsync(TestObjects.Deployment(ns, "d", replicas: 1));
        created.Metadata.Generation.Should().Be(1);

        created.Status = new V1DeploymentStatus { ReadyReplicas = 1, ObservedGeneration = 1 };
        var afterStatus = await Client.ReplaceStatusAsync(created);
        afterStatus.Status!.ReadyReplicas.Should().Be(1);
        afterStatus.Metadata.Generation.Should().Be(1, "status writes do not bump generation");

        afterStatus.Spec!.Replicas = 3;
        afterStatus.Status = new V1DeploymentStatus { ReadyReplicas = 99 };
        var afterSpec = await Client.ReplaceAsync(afterStatus);
        afterSpec.Metadata.Generation.Should().Be(2);
        afterSpec.Status!.ReadyReplicas.Should().Be(1, "the main endpoint ignores status");

        var labelsOnly = await Client.PatchAsync<V1Deployment>("d", ns, KubePatch.Merge("""{"metadata":{"labels":{"a":"b"}}}"""));
        labelsOnly.Metadata.Generation.Should().Be(2, "metadata changes do not bump generation");

        var statusPatch = await Client.PatchStatusAsync<V1Deployment>("d", ns, KubePatch.Merge("""{"spec":{"replicas":7},"status":{"readyReplicas":3}}"""));
        statusPatch.Spec!.Replicas.Should().Be(3, "the status endpoint ignores spec");
        statusPatch.Status!.ReadyReplicas.Should().Be(3);
    }

    [Fact]
    public async Task A_no_op_update_does_not_change_the_resource_version()
    {
        var ns = await fixture.NewNamespaceAsync();
        var created = await Client.CreateAsync(TestObjects.ConfigMap(ns, "same"));
        var again = await Client.ReplaceAsync(created);
        again.Metadata.ResourceVersion.Should().Be(created.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Json_merge_and_json_patch_apply()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CreateAsync(TestObjects.ConfigMap(ns, "p", new() { ["a"] = "1", ["b"] = "2" }));

        var merged = await Client.PatchAsync<V1ConfigMap>("p", ns, KubePatch.Merge(new JsonObject { ["data"] = new JsonObject { ["a"] = null, ["c"] = "3" } }));
        merged.Data.Should().BeEquivalentTo(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" });

        var patched = await Client.PatchAsync<V1ConfigMap>("p", ns, KubePatch.Json("""[{"op":"test","path":"/data/b","value":"2"},{"op":"replace","path":"/data/b","value":"20"}]"""));
        patched.Data!["b"].Should().Be("20");

        var failing = () => Client.PatchAsync<V1ConfigMap>("p", ns, KubePatch.Json("""[{"op":"test","path":"/data/b","value":"nope"}]"""));
        await failing.Should().ThrowAsync<KubeInvalidException>();

        var stale = () => Client.PatchAsync<V1ConfigMap>("p", ns, KubePatch.Merge("""{"metadata":{"resourceVersion":"1"},"data":{"x":"y"}}"""));
        await stale.Should().ThrowAsync<KubeConflictException>();
    }

    [Fact]
    public async Task Finalizers_hold_deletion_until_removed()
    {
        var ns = await fixture.NewNamespaceAsync();
        var cm = TestObjects.ConfigMap(ns, "fin");
        cm.Metadata.Finalizers = ["parma.dev/cleanup"];
        await Client.CreateAsync(cm);

        var deleting = await Client.DeleteAsync<V1ConfigMap>("fin", ns);
        deleting.Should().NotBeNull("the object still exists while a finalizer is pending");
        deleting!.Metadata.DeletionTimestamp.Should().NotBeNull();

        var still = await Client.GetAsync<V1ConfigMap>("fin", ns);
        still.Metadata.Finalizers = [];
        await Client.ReplaceAsync(still);
        (await Client.GetOrDefaultAsync<V1ConfigMap>("fin", ns)).Should().BeNull();
    }

    [Fact]
    public async Task Delete_honours_preconditions()
    {
        var ns = await fixture.NewNamespaceAsync();
        var created = await Client.CreateAsync(TestObjects.ConfigMap(ns, "pre"));
        var wrongUid = () => Client.DeleteAsync<V1ConfigMap>("pre", ns, new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = "not-it" } });
        (await wrongUid.Should().ThrowAsync<KubeConflictException>()).Which.Status.Message.Should().Contain("Precondition failed: UID in precondition: not-it");

        var result = await Client.DeleteAsync<V1ConfigMap>("pre", ns, new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = created.Metadata.Uid, ResourceVersion = created.Metadata.ResourceVersion } });
        result.Should().BeNull("a ConfigMap deletion answers with a Success Status");
        (await Client.GetOrDefaultAsync<V1ConfigMap>("pre", ns)).Should().BeNull();
    }

    [Fact]
    public async Task Cluster_scoped_resources_work_without_a_namespace()
    {
        var created = await Client.CreateAsync(new V1RuntimeClass { Metadata = new V1ObjectMeta { Name = "kata-qemu-snp-" + Guid.NewGuid().ToString("N")[..6] }, Handler = "kata-qemu-snp" });
        var read = await Client.GetAsync<V1RuntimeClass>(created.Metadata.Name!);
        read.Handler.Should().Be("kata-qemu-snp");
        read.Metadata.NamespaceProperty.Should().BeNull();
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_is_not_found()
    {
        var act = () => Client.CreateAsync(TestObjects.ConfigMap("no-such-namespace", "x"));
        (await act.Should().ThrowAsync<KubeNotFoundException>()).Which.Status.Message.Should().Be("namespaces \"no-such-namespace\" not found");
    }

    [Fact]
    public async Task Secrets_carry_bytes_as_base64()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CreateAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s", NamespaceProperty = ns }, Data = new Dictionary<string, byte[]> { ["key"] = [0, 1, 2, 255] } });
        var read = await Client.GetAsync<V1Secret>("s", ns);
        read.Data!["key"].Should().Equal(0, 1, 2, 255);
    }

    [Fact]
    public async Task Lease_and_event_models_round_trip_micro_time()
    {
        var ns = await fixture.NewNamespaceAsync();
        var renew = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).AddTicks(1234560);
        await Client.CreateAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "l", NamespaceProperty = ns }, Spec = new V1LeaseSpec { HolderIdentity = "me", LeaseDurationSeconds = 15, RenewTime = renew } });
        var lease = await Client.GetAsync<V1Lease>("l", ns);
        lease.Spec!.RenewTime.Should().Be(renew);

        await Client.CreateAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "e", NamespaceProperty = ns },
            EventTime = renew,
            ReportingController = "parma.dev/operator",
            ReportingInstance = "op-0",
            Action = "GeneratePolicy",
            Reason = "PolicyGenerated",
            Type = "Normal",
            Note = "policy generated",
            Regarding = new V1ObjectReference { Kind = "Pod", Name = "x", NamespaceProperty = ns },
        });
        (await Client.GetAsync<Eventsv1Event>("e", ns)).Reason.Should().Be("PolicyGenerated");
    }

    [Fact]
    public async Task Dry_run_writes_validate_but_store_nothing()
    {
        var ns = await fixture.NewNamespaceAsync();
        var preview = await Client.CreateAsync(TestObjects.ConfigMap(ns, "dry"), dryRun: true);
        preview.Metadata.Uid.Should().NotBeNullOrEmpty();
        (await Client.GetOrDefaultAsync<V1ConfigMap>("dry", ns)).Should().BeNull();

        var invalid = TestObjects.Pod(ns, "dry-pod");
        invalid.Spec!.Containers[0].Name = null!;
        var act = () => Client.CreateAsync(invalid, dryRun: true);
        await act.Should().ThrowAsync<KubeInvalidException>();

        var real = await Client.CreateAsync(TestObjects.ConfigMap(ns, "dry"));
        real.Data!["k"] = "changed";
        (await Client.ReplaceAsync(real, dryRun: true)).Data!["k"].Should().Be("changed");
        (await Client.GetAsync<V1ConfigMap>("dry", ns)).Data!["k"].Should().Be("v");
    }
}
