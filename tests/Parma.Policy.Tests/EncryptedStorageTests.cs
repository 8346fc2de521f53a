using System.Text.Json.Nodes;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Simulation;
using Parma.Rego;

namespace Parma.Policy.Tests;

/// <summary>
/// Block emptyDirs as a Kata host with emptydir_mode=block-encrypted sends them, and the framework's
/// rule that writable storage must be storage the guest protected itself, decided from the guest's own
/// record (data.guest), never from the request.
/// </summary>
public class EncryptedStorageTests(ExamplePolicies examples) : IClassFixture<ExamplePolicies>
{
    private const string Spath = "/run/kata-containers/sandbox/storage";

    private static readonly System.Text.Json.JsonSerializerOptions Plain = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void A_groups_emptyDir_is_an_encrypted_block_storage_by_default()
    {
        var hello = Entry(examples.Group, "hello");
        var storage = hello["storages"]!.AsArray().Single()!.AsObject();
        storage.ToJsonString(Plain).Should().Be(
            """{"driver":"block","driver_options":["encryption_key=ephemeral","create_filesystem"],"fs_group":null,"fstype":"ext4","mount_point":"^/run/kata-containers/sandbox/storage/[A-Za-z0-9_-]+={0,2}$","options":[],"shared":true,"source":"^([0-9a-f]{2}(/[0-9a-f]{2})?|[0-9]+:[0-9]+)$"}""");
        var mount = hello["mounts"]!.AsArray().Select(m => m!.AsObject()).Single(m => m["destination"]!.GetValue<string>() == "/scratch");
        mount["source"]!.GetValue<string>().Should().Be(storage["mount_point"]!.GetValue<string>());
        mount["options"]!.AsArray().Select(o => o!.GetValue<string>()).Should().Equal("rbind", "rprivate", "rw");
        examples.Group.PolicyData["common"]!["spath"]!.GetValue<string>().Should().Be(Spath);
        examples.Group.PolicyData["common"]!["allow_unencrypted_storage"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task The_spec_switch_turns_it_off_or_to_plain_disks_and_plain_disks_are_allowed_only_explicitly()
    {
        var (shared, _) = await examples.GenerateAsync("confidential-pod-group.yaml", new GroupPolicyOptions { EmptyDirMode = EmptyDirMode.SharedFs });
        var local = Entry(shared, "hello")["storages"]!.AsArray().Single()!;
        local["driver"]!.GetValue<string>().Should().Be("local");
        shared.PolicyData["common"]!["allow_unencrypted_storage"]!.GetValue<bool>().Should().BeFalse();

        var (plain, _) = await examples.GenerateAsync("confidential-pod-group.yaml", new GroupPolicyOptions { EmptyDirMode = EmptyDirMode.BlockPlain });
        var block = Entry(plain, "hello")["storages"]!.AsArray().Single()!;
        block["driver_options"]!.AsArray().Select(o => o!.GetValue<string>()).Should().Equal("create_filesystem");
        block["options"]!.AsArray().Select(o => o!.GetValue<string>()).Should().Equal("discard");
        plain.PolicyData["common"]!["allow_unencrypted_storage"]!.GetValue<bool>().Should().BeTrue("block-plain says so in the policy, where a reviewer sees it");
    }

    [Theory]
    [InlineData("block-encrypted", EmptyDirMode.BlockEncrypted)]
    [InlineData("block-plain", EmptyDirMode.BlockPlain)]
    [InlineData("shared-fs", EmptyDirMode.SharedFs)]
    public void The_spec_names_the_mode_as_Kata_names_emptydir_mode(string name, EmptyDirMode mode)
    {
        GroupPolicyOptions.FromGroupSpec(new JsonObject { ["emptyDirMode"] = name }, new GroupPolicyOptions()).EmptyDirMode.Should().Be(mode);
        GroupPolicyOptions.FromGroupSpec(new JsonObject(), new GroupPolicyOptions()).EmptyDirMode.Should().Be(EmptyDirMode.BlockEncrypted);
        var wrong = () => GroupPolicyOptions.FromGroupSpec(new JsonObject { ["emptyDirMode"] = "encrypted" }, new GroupPolicyOptions());
        wrong.Should().Throw<Input.PolicyInputException>().WithMessage("spec.policy.emptyDirMode: 'encrypted' is not block-encrypted, block-plain or shared-fs.");
    }

    [Fact]
    public async Task A_pods_fsGroup_is_the_storages_fs_group_as_the_kata_shim_sends_it()
    {
        var manifest = (await File.ReadAllTextAsync(ExamplePolicies.ExamplePath("confidential-pod-group.yaml")))
            .Replace("      automountServiceAccountToken: false", "      automountServiceAccountToken: false\n      securityContext:\n        fsGroup: 2000", StringComparison.Ordinal);
        var manifests = Input.ManifestSet.Parse(manifest, "fsgroup.yaml");
        var plan = await new PolicyPipeline(examples.Settings, examples.Images).PlanAsync(manifests.Workloads.Single(), manifests, new GroupPolicyOptions());
        var policy = new PolicyGenerator(examples.Settings, examples.Images).Render(plan);
        Entry(policy, "hello")["storages"]![0]!["fs_group"]!.ToJsonString().Should().Be("""{"group_change_policy":0,"group_id":2000}""");

        var session = PolicyEngine.Load(policy.PolicyText).NewSession();
        var host = new KataHostSimulator(examples.Settings, plan);
        foreach (var request in host.StartPod())
        {
            session.Decide(request.Kind, Value.FromJson(request.Input.ToJsonString())).Allowed.Should().BeTrue(request.Description);
        }

        var create = HelloCreate(host, plan);
        Storage(create)["fs_group"] = new JsonObject { ["group_id"] = 0, ["group_change_policy"] = 0 };
        Decide(PolicyEngine.Load(policy.PolicyText).NewSession(), host, plan, create).Allowed.Should().BeFalse("the host may not change the volume's group");
    }

    [Fact]
    public void The_simulated_host_attaches_each_block_volume_at_a_PCI_path_and_names_the_mount_point_after_it()
    {
        var host = new KataHostSimulator(examples.Settings, examples.GroupPlan);
        var create = HelloCreate(host, examples.GroupPlan);
        Storage(create).ToJsonString().Should().Be(
            """{"driver":"blk","driver_options":["encryption_key=ephemeral","create_filesystem"],"fs_group":null,"fstype":"ext4","mount_point":"/run/kata-containers/sandbox/storage/MDIvMDA=","options":[],"shared":true,"source":"02/00"}""");
        ScratchMount(create)["source"]!.GetValue<string>().Should().Be("/run/kata-containers/sandbox/storage/MDIvMDA=");
        BlockStorageMountPoint.Of(examples.Settings, "0a").Should().Be(Spath + "/MGE=");
    }

    public static TheoryData<string, string> HostChanges => new()
    {
        { "source zz/00", "create.volumes" },
        { "source 02/00/00", "create.volumes" },
        { "mount point of another device", "create.volumes" },
        { "shared false", "create.volumes" },
        { "fstype xfs", "create.volumes" },
        { "options discard", "create.volumes" },
        { "driver_options reordered", "create.volumes" },
        { "no driver options: the host's own file system", "create.volumes" },
        { "create_filesystem only: formatted plain", "create.volumes" },
        { "ephemeral key without a new file system", "create.volumes" },
        { "a key the host chose", "create.volumes" },
        { "driver virtio-fs", "create.volumes" },
        { "driver local at the block mount point", "create.volumes" },
        { "container mount from another storage path", "create.storage_protection" },
        { "container mount from the storage path with ..", "create.mounts" },
    };

    [Theory]
    [MemberData(nameof(HostChanges))]
    public void A_host_that_changes_the_block_volume_is_refused(string change, string rule)
    {
        var host = new KataHostSimulator(examples.Settings, examples.GroupPlan);
        var create = HelloCreate(host, examples.GroupPlan);
        var storage = Storage(create);
        switch (change)
        {
            case "source zz/00": Repoint(create, "zz/00", "zz/00"); break;
            case "source 02/00/00": Repoint(create, "02/00/00", "02/00/00"); break;
            case "mount point of another device": Repoint(create, "02/00", "03/00"); break;
            case "shared false": storage["shared"] = false; break;
            case "fstype xfs": storage["fstype"] = "xfs"; break;
            case "options discard": storage["options"] = new JsonArray("discard"); break;
            case "driver_options reordered": storage["driver_options"] = new JsonArray("create_filesystem", "encryption_key=ephemeral"); break;
            case "no driver options: the host's own file system": storage["driver_options"] = new JsonArray(); break;
            case "create_filesystem only: formatted plain": storage["driver_options"] = new JsonArray("create_filesystem"); break;
            case "ephemeral key without a new file system": storage["driver_options"] = new JsonArray("encryption_key=ephemeral"); break;
            case "a key the host chose": storage["driver_options"] = new JsonArray("encryption_key=c2VjcmV0", "create_filesystem"); break;
            case "driver virtio-fs": storage["driver"] = "virtio-fs"; break;
            case "driver local at the block mount point": storage["driver"] = "local"; storage["fstype"] = "local"; storage["driver_options"] = new JsonArray(); break;
            case "container mount from another storage path": ScratchMount(create)["source"] = BlockStorageMountPoint.Of(examples.Settings, "03/00"); break;
            case "container mount from the storage path with ..": ScratchMount(create)["source"] = Spath + "/MDIvMDA=/../../shm"; break;
        }

        var decision = Decide(examples.GroupEngine.NewSession(), host, examples.GroupPlan, create);

        decision.Allowed.Should().BeFalse(change);
        decision.Reason.Should().StartWith(rule);
    }

    [Fact]
    public void A_scsi_disk_is_allowed_as_well()
    {
        var host = new KataHostSimulator(examples.Settings, examples.GroupPlan);
        var create = HelloCreate(host, examples.GroupPlan);
        var storage = Storage(create);
        storage["driver"] = "scsi";
        storage["source"] = "0:3";
        storage["mount_point"] = BlockStorageMountPoint.Of(examples.Settings, "0:3");
        ScratchMount(create)["source"] = storage["mount_point"]!.GetValue<string>();

        Decide(examples.GroupEngine.NewSession(), host, examples.GroupPlan, create).Allowed.Should().BeTrue();
    }

    [Fact]
    public void The_guests_record_decides_not_the_hosts_driver_options()
    {
        var host = new KataHostSimulator(examples.Settings, examples.GroupPlan);
        var create = HelloCreate(host, examples.GroupPlan);
        var mountPoint = Storage(create)["mount_point"]!.GetValue<string>();
        var session = examples.GroupEngine.NewSession();
        foreach (var request in host.StartPod().Take(3))
        {
            session.Decide(request.Kind, Value.FromJson(request.Input.ToJsonString())).Allowed.Should().BeTrue(request.Description);
        }

        var input = Value.FromJson(create.ToJsonString());
        var plain = new GuestStorageLedger();
        plain.Keep(new GuestStorageRecord(mountPoint, "blk", "02/00", "ext4", StorageSetup.PlainBlockHostFilesystem, "/dev/vdb", Encrypted: false, Integrity: false, GuestFilesystem: false, InGuestMemory: false, SetUp: true));
        var refused = session.Evaluate("CreateContainerRequest", input, plain.Document([]));
        refused.Allowed.Should().BeFalse("the guest says it mounted that disk unencrypted, whatever the request's driver options claim");
        refused.Reason.Should().Be($"create.storage_protection: storages[{create["storages"]!.AsArray().IndexOf(Storage(create))}]: storage at {mountPoint} is not protected by the guest (its record: plain-block-host-filesystem) and the policy does not allow unencrypted storage");

        var noIntegrity = new GuestStorageLedger();
        noIntegrity.Keep(new GuestStorageRecord(mountPoint, "blk", "02/00", "ext4", StorageSetup.EncryptedBlock, "/dev/mapper/x", Encrypted: true, Integrity: false, GuestFilesystem: true, InGuestMemory: false, SetUp: true));
        session.Evaluate("CreateContainerRequest", input, noIntegrity.Document([])).Allowed.Should().BeFalse("encryption without integrity lets the host change sectors unnoticed");

        var encrypted = new GuestStorageLedger();
        encrypted.Keep(new GuestStorageRecord(mountPoint, "blk", "02/00", "ext4", StorageSetup.EncryptedBlock, "/dev/mapper/x", Encrypted: true, Integrity: true, GuestFilesystem: true, InGuestMemory: false, SetUp: true));
        session.Evaluate("CreateContainerRequest", input, encrypted.Document([])).Allowed.Should().BeTrue();

        var nothing = Value.Object([KeyValuePair.Create("storages", Value.EmptyObject)]);
        session.Evaluate("CreateContainerRequest", input, nothing).Reason.Should().Contain("is not one the guest encrypts or keeps in its memory", "no record, no protection");
    }

    [Fact]
    public async Task A_plain_block_policy_allows_unencrypted_disks_because_it_says_so()
    {
        var plan = await examples.GenerateAsync("confidential-pod-group.yaml", new GroupPolicyOptions { EmptyDirMode = EmptyDirMode.BlockPlain });
        var host = new KataHostSimulator(examples.Settings, plan.Plan);
        var trace = host.StartPod().Concat(host.RunAndStopPod()).Select(Trace.Allowed).ToList();
        TraceReplayer.Replay(PolicyEngine.Load(plan.Policy.PolicyText), trace).Where(o => !o.Matches).Select(o => $"{o.Case.Description}: {o.Decision.Reason}").Should().BeEmpty();
    }

    [Fact]
    public void A_stock_kata_agent_which_keeps_no_record_decides_by_what_its_own_code_encrypts()
    {
        var host = new KataHostSimulator(examples.Settings, examples.GroupPlan);
        var v0 = CompiledPolicy.Compile("policy.rego", examples.Group.PolicyText, options: RegoOptions.Default with { V0Compatible = true });
        var state = Value.EmptyObject;
        foreach (var request in host.StartPod())
        {
            if (request.Description == "create container hello")
            {
                var plain = request.Input.DeepClone().AsObject();
                Storage(plain)["driver_options"] = new JsonArray("create_filesystem");
                Allowed(v0.EvaluateRule("data.agent_policy.CreateContainerRequest", Value.FromJson(plain.ToJsonString()), [new DataMount("data.pstate", state)]))
                    .Should().BeFalse("kata-agent formats that disk without encrypting it");
            }

            var result = v0.EvaluateRule("data.agent_policy." + request.Kind, Value.FromJson(request.Input.ToJsonString()), [new DataMount("data.pstate", state)]);
            Allowed(result).Should().BeTrue(request.Description);
            if (result is ObjectValue)
            {
                state = JsonPatch.Apply(Value.Object([KeyValuePair.Create("pstate", state)]), result["ops"]!)["pstate"]!;
            }
        }
    }

    [Fact]
    public void A_sandbox_storage_the_guest_does_not_protect_is_refused()
    {
        var host = new KataHostSimulator(examples.Settings, examples.GroupPlan);
        var sandbox = host.CreateSandbox();
        sandbox["storages"]!.AsArray().Add(new JsonObject
        {
            ["driver"] = "virtio-fs", ["driver_options"] = new JsonArray(), ["fs_group"] = null, ["fstype"] = "virtiofs",
            ["mount_point"] = "/run/kata-containers/shared/containers", ["options"] = new JsonArray(), ["source"] = "kataShared",
        });

        var decision = examples.GroupEngine.NewSession().Decide("CreateSandboxRequest", Value.FromJson(sandbox.ToJsonString()));

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().StartWith("sandbox.storages: storages[1]", "a storage the policy does not have is named as such; the guest's record is read after (GuestRecordCase)");
    }

    [Fact]
    public void The_record_is_kept_per_mount_point_and_the_first_storage_named_there_is_planned()
    {
        var input = Value.FromJson("""
            {"storages": [
              {"driver": "blk", "driver_options": ["encryption_key=ephemeral", "create_filesystem"], "fstype": "ext4", "mount_point": "/m", "source": "02"},
              {"driver": "blk", "driver_options": [], "fstype": "ext4", "mount_point": "/m", "source": "03"},
              {"driver": "blk", "driver_options": [], "fstype": "tar", "mount_point": "/layer", "source": "04"},
              {"driver": "local", "driver_options": [], "fstype": "local", "mount_point": "/l", "source": "local"}
            ]}
            """);
        var planned = GuestStorageLedger.PlannedFor("CreateContainerRequest", input);
        planned.Select(p => (p.MountPoint, p.Setup)).Should().Equal(("/m", StorageSetup.EncryptedBlock), ("/l", StorageSetup.GuestDirectory));
        GuestStorageLedger.PlannedFor("ExecProcessRequest", input).Should().BeEmpty();

        var ledger = new GuestStorageLedger();
        ledger.Keep(planned[1] with { SetUp = true, InGuestMemory = false, Device = "/run/x" });
        var document = ledger.Document(planned);
        document["storages"]!["/m"]!["encrypted"].Should().Be(Value.True);
        document["storages"]!["/l"]!["in_guest_memory"].Should().Be(Value.False, "what the guest found when it set the storage up wins over a plan");
        ledger.Document([]).Should().BeSameAs(ledger.Document([]), "the record is rendered once until it changes");
    }

    [Theory]
    [InlineData("blk", "encryption_key=ephemeral,create_filesystem", "ext4", StorageSetup.EncryptedBlock, null)]
    [InlineData("scsi", "encryption_key=ephemeral,create_filesystem", "ext4", StorageSetup.EncryptedBlock, null)]
    [InlineData("blk", "create_filesystem", "ext4", StorageSetup.PlainBlockNewFilesystem, null)]
    [InlineData("blk", "", "ext4", StorageSetup.PlainBlockHostFilesystem, null)]
    [InlineData("blk", "encryption_key=ephemeral", "ext4", StorageSetup.Refused, "encryption_key=ephemeral requires create_filesystem")]
    [InlineData("blk", "encryption_key=abc,create_filesystem", "ext4", StorageSetup.Refused, "only encryption_key=ephemeral is supported")]
    [InlineData("blk", "encryption_key=ephemeral,create_filesystem", "xfs", StorageSetup.Refused, "file system type 'xfs'")]
    [InlineData("blk", "encryption_key=ephemeral,create_filesystem,wipe", "ext4", StorageSetup.Refused, "driver option 'wipe'")]
    [InlineData("blk", "", "tar", StorageSetup.ContainerRoot, null)]
    [InlineData("overlayfs", "", "fuse3.kata-overlay", StorageSetup.ContainerRoot, null)]
    [InlineData("ephemeral", "", "tmpfs", StorageSetup.GuestMemory, null)]
    [InlineData("local", "", "local", StorageSetup.GuestDirectory, null)]
    [InlineData("local", "create_filesystem", "local", StorageSetup.Refused, "local storages take no driver options")]
    [InlineData("virtio-fs", "", "virtiofs", StorageSetup.NotCarriedOut, null)]
    public void What_the_agent_does_with_a_storage(string driver, string driverOptions, string fstype, StorageSetup expected, string? refusal)
    {
        var options = driverOptions.Split(',', StringSplitOptions.RemoveEmptyEntries);
        StorageSetups.Of(driver, options, fstype, out var why).Should().Be(expected);
        if (refusal is null)
        {
            why.Should().BeNull();
        }
        else
        {
            why.Should().Contain(refusal);
        }
    }

    /// <summary>Gives the scratch storage another source and mount point (named after <paramref name="named"/>), and the container's mount with it.</summary>
    private void Repoint(JsonObject create, string source, string named)
    {
        var mountPoint = BlockStorageMountPoint.Of(examples.Settings, named);
        Storage(create)["source"] = source;
        Storage(create)["mount_point"] = mountPoint;
        ScratchMount(create)["source"] = mountPoint;
    }

    private static bool Allowed(Value? result) => result is BooleanValue b ? b.BoolValue : result?["allowed"]?.IsTrue == true;

    private static JsonObject HelloCreate(KataHostSimulator host, PodPlan plan) => host.CreateContainer(plan.Containers.Single(c => c.Name == "hello"));

    private static JsonObject Storage(JsonObject create) =>
        create["storages"]!.AsArray().Select(s => s!.AsObject()).Single(s => s["fstype"]!.GetValue<string>() is not ("tar" or "fuse3.kata-overlay"));

    private static JsonObject ScratchMount(JsonObject create) =>
        create["OCI"]!["Mounts"]!.AsArray().Select(m => m!.AsObject()).Single(m => m["destination"]!.GetValue<string>() == "/scratch");

    private static JsonObject Entry(GeneratedPolicy policy, string name) =>
        policy.PolicyData["containers"]!.AsArray().Select(c => c!.AsObject()).Single(c => c["name"]!.GetValue<string>() == name);

    /// <summary>Decides a hello create after the sandbox and pause are up, against the simulated guest record.</summary>
    private static PolicyDecision Decide(PolicySession session, KataHostSimulator host, PodPlan plan, JsonObject create)
    {
        foreach (var request in host.StartPod().Take(3))
        {
            session.Decide(request.Kind, Value.FromJson(request.Input.ToJsonString())).Allowed.Should().BeTrue(request.Description);
        }

        return session.Decide("CreateContainerRequest", Value.FromJson(create.ToJsonString()));
    }
}
