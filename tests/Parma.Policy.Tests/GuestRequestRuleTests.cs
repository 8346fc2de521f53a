using System.Text.Json.Nodes;
using Parma.Policy.Enforcement;
using Parma.Policy.Generation;
using Parma.Policy.Simulation;
using Parma.Rego;

namespace Parma.Policy.Tests;

/// <summary>
/// The framework's rules for the guest-wide and per-container requests a Kata host sends besides
/// creating and running containers (networking, volumes, ephemeral mounts, copied files, switches),
/// decided in process against the generated example policy, each with what it refuses and why.
/// The inputs are shaped as kata-agent serialises the requests; the agent tests send the same over
/// its socket.
/// </summary>
public sealed class GuestRequestRuleTests(ExamplePolicies examples) : IClassFixture<ExamplePolicies>
{
    private const string CopyRoot = "/run/kata-containers/shared/containers";

    private KataHostSimulator Host => new(examples.Settings, examples.GroupPlan);

    private ContainerPlan App => examples.GroupPlan.Containers.Single(c => c.Name == "hello");

    // The group example's spec switches diagnostics off itself; the Deployment takes the option.
    private Task<(GeneratedPolicy Policy, PodPlan Plan)> OpenDeploymentAsync(GroupPolicyOptions options) => examples.GenerateAsync("deployment.yaml", options);

    private PolicySession NewSession() => examples.GroupEngine.NewSession();

    private static PolicyDecision Send(PolicySession session, string kind, JsonObject input) =>
        session.Decide(kind, Value.FromJson(input.ToJsonString()));

    private PolicyDecision Decide(string kind, JsonObject input) => Send(NewSession(), kind, input);

    /// <summary>A session in which the sandbox and every container were created and started.</summary>
    private PolicySession PodRunning()
    {
        var session = NewSession();
        foreach (var request in Host.StartPod())
        {
            Send(session, request.Kind, request.Input).Allowed.Should().BeTrue(request.Description);
        }

        return session;
    }

    // ---------------------------------------------------------------------------------------------
    // Switches
    // ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("DestroySandboxRequest", true)]
    [InlineData("GetOOMEventRequest", true)]
    [InlineData("GuestDetailsRequest", true)]
    [InlineData("OnlineCPUMemRequest", true)]
    [InlineData("RemoveStaleVirtiofsShareMountsRequest", true)]
    [InlineData("MemHotplugByProbeRequest", false)]
    [InlineData("SetGuestDateTimeRequest", false)]
    [InlineData("ReseedRandomDevRequest", false)]
    [InlineData("ListInterfacesRequest", false)]
    [InlineData("ListRoutesRequest", false)]
    [InlineData("GetMetricsRequest", false)]
    [InlineData("GetIPTablesRequest", false)]
    public void A_switched_request_is_decided_by_the_default_settings(string kind, bool allowed)
    {
        Decide(kind, new JsonObject()).Allowed.Should().Be(allowed);
    }

    [Fact]
    public async Task A_request_that_is_never_allowed_is_refused_even_with_every_switch_on()
    {
        var (open, _) = await OpenDeploymentAsync(new GroupPolicyOptions { AllowDiagnostics = true, AllowStdio = true });
        var session = PolicyEngine.Load(open.PolicyText).NewSession();

        foreach (var kind in new[] { "SetIPTablesRequest", "AddSwapRequest", "AddSwapPathRequest", "MemAgentMemcgConfig", "MemAgentCompactConfig", "SetPolicyRequest" })
        {
            Send(session, kind, new JsonObject()).Allowed.Should().BeFalse(kind);
            Decide(kind, new JsonObject()).Allowed.Should().BeFalse(kind);
        }
    }

    [Fact]
    public async Task Diagnostics_are_allowed_only_when_the_group_switches_them_on()
    {
        var (open, _) = await OpenDeploymentAsync(new GroupPolicyOptions { AllowDiagnostics = true });
        var session = PolicyEngine.Load(open.PolicyText).NewSession();

        foreach (var kind in new[] { "ListInterfacesRequest", "ListRoutesRequest", "GetMetricsRequest", "GetIPTablesRequest" })
        {
            Send(session, kind, new JsonObject()).Allowed.Should().BeTrue(kind);
        }

        Send(session, "SetGuestDateTimeRequest", new JsonObject { ["Sec"] = 0, ["Usec"] = 0 }).Allowed.Should().BeFalse("diagnostics do not switch on the clock");
    }

    [Fact]
    public void A_switch_named_in_the_request_does_not_change_the_decision()
    {
        var forged = new JsonObject
        {
            ["request_defaults"] = new JsonObject { ["SetGuestDateTimeRequest"] = true },
            ["policy_data"] = new JsonObject { ["request_defaults"] = new JsonObject { ["SetGuestDateTimeRequest"] = true } },
            ["Sec"] = 1,
        };

        Decide("SetGuestDateTimeRequest", forged).Allowed.Should().BeFalse();
    }

    // ---------------------------------------------------------------------------------------------
    // Requests about one container: only containers created under this policy
    // ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("StatsContainerRequest")]
    [InlineData("TtyWinResizeRequest")]
    [InlineData("PauseContainerRequest")]
    [InlineData("ResumeContainerRequest")]
    [InlineData("UpdateContainerRequest")]
    public void A_container_request_is_allowed_for_a_created_container_and_refused_for_any_other(string kind)
    {
        var session = PodRunning();
        var app = Host.ContainerId(App);

        Send(session, kind, new JsonObject { ["container_id"] = app, ["resources"] = new JsonObject { ["Devices"] = new JsonArray() } }).Allowed.Should().BeTrue();
        var other = Send(session, kind, new JsonObject { ["container_id"] = new string('e', 64), ["resources"] = new JsonObject { ["Devices"] = new JsonArray() } });
        other.Allowed.Should().BeFalse();
        if (kind is "PauseContainerRequest" or "ResumeContainerRequest" or "UpdateContainerRequest")
        {
            other.Reason.Should().Contain("container_id");
        }
    }

    [Fact]
    public void A_resource_update_may_change_limits_but_not_device_rules()
    {
        var session = PodRunning();
        var app = Host.ContainerId(App);

        var limits = new JsonObject
        {
            ["container_id"] = app,
            ["resources"] = new JsonObject
            {
                ["Devices"] = new JsonArray(),
                ["Memory"] = new JsonObject { ["Limit"] = 64 << 20 },
                ["CPU"] = new JsonObject { ["Quota"] = 50000, ["Period"] = 100000, ["Cpus"] = "0-1" },
            },
        };
        Send(session, "UpdateContainerRequest", limits).Allowed.Should().BeTrue();

        var devices = limits.DeepClone().AsObject();
        devices["resources"]!["Devices"] = new JsonArray(new JsonObject { ["Allow"] = true, ["Type"] = "b", ["Major"] = 253, ["Minor"] = 0, ["Access"] = "rwm" });
        var decision = Send(session, "UpdateContainerRequest", devices);
        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().Be("update.resources: resources.Devices: device rules cannot be changed");

        var noResources = Send(session, "UpdateContainerRequest", new JsonObject { ["container_id"] = app, ["resources"] = null });
        noResources.Allowed.Should().BeTrue("kata-agent reads an absent resources message as no change");
    }

    [Fact]
    public async Task Diagnostic_data_is_only_the_termination_log_of_a_created_container()
    {
        var (open, plan) = await OpenDeploymentAsync(new GroupPolicyOptions { AllowDiagnostics = true });
        var host = new KataHostSimulator(examples.Settings, plan);
        var session = PolicyEngine.Load(open.PolicyText).NewSession();
        foreach (var request in host.StartPod())
        {
            Send(session, request.Kind, request.Input).Allowed.Should().BeTrue(request.Description);
        }

        var app = host.ContainerId(plan.Containers.Single(c => c.Name == "web"));
        Send(session, "GetDiagnosticDataRequest", new JsonObject { ["container_id"] = app, ["log_type"] = "termination_log" }).Allowed.Should().BeTrue();
        Send(session, "GetDiagnosticDataRequest", new JsonObject { ["container_id"] = app, ["log_type"] = "kernel_log" }).Allowed.Should().BeFalse();
        Send(session, "GetDiagnosticDataRequest", new JsonObject { ["container_id"] = new string('e', 64), ["log_type"] = "termination_log" }).Allowed.Should().BeFalse();

        // Off by default, whatever the container.
        Send(PodRunning(), "GetDiagnosticDataRequest", new JsonObject { ["container_id"] = Host.ContainerId(App), ["log_type"] = "termination_log" }).Allowed.Should().BeFalse();
    }

    // ---------------------------------------------------------------------------------------------
    // Volumes
    // ---------------------------------------------------------------------------------------------

    [Fact]
    public void Volume_stats_are_allowed_for_a_plain_path_under_the_sandbox_storage()
    {
        Decide("VolumeStatsRequest", new JsonObject { ["volume_guest_path"] = "/run/kata-containers/sandbox/storage/0a1b2c" }).Allowed.Should().BeTrue();
        Decide("VolumeStatsRequest", new JsonObject { ["volume_guest_path"] = "/run/kata-containers/sandbox/storage/0a1b2c/data" }).Allowed.Should().BeTrue();
    }

    [Theory]
    [InlineData("/run/kata-containers/sandbox/storage")]
    [InlineData("/run/kata-containers/sandbox/storage/")]
    [InlineData("/run/kata-containers/sandbox/storage/../../../../etc")]
    [InlineData("/run/kata-containers/sandbox/storage/./x")]
    [InlineData("/run/kata-containers/sandbox/storage//x")]
    [InlineData("/run/kata-containers/sandbox/storagex/y")]
    [InlineData("run/kata-containers/sandbox/storage/x")]
    [InlineData("/etc")]
    [InlineData("")]
    public void Volume_requests_outside_the_sandbox_storage_are_refused(string path)
    {
        var decision = Decide("VolumeStatsRequest", new JsonObject { ["volume_guest_path"] = path });

        decision.Allowed.Should().BeFalse(path);
        decision.Reason.Should().Be($"volume.volume_guest_path: volume_guest_path: {path} is not a plain path under /run/kata-containers/sandbox/storage");
        Decide("ResizeVolumeRequest", new JsonObject { ["volume_guest_path"] = path, ["size"] = 1 << 30 }).Allowed.Should().BeFalse(path);
    }

    [Fact]
    public void Volume_resizing_is_off_by_default_even_for_a_sandbox_volume()
    {
        Decide("ResizeVolumeRequest", new JsonObject { ["volume_guest_path"] = "/run/kata-containers/sandbox/storage/0a1b2c", ["size"] = 1 << 30 }).Allowed.Should().BeFalse();
    }

    // ---------------------------------------------------------------------------------------------
    // UpdateEphemeralMounts
    // ---------------------------------------------------------------------------------------------

    private const string MemoryVolumeManifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: default
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              runtimeClassName: kata-qemu-snp
              containers:
                - name: web
                  image: registry.example/parma/hello:1.0
                  volumeMounts:
                    - name: cache
                      mountPath: /cache
              volumes:
                - name: cache
                  emptyDir:
                    medium: Memory
        """;

    private static JsonObject Remount(string mountPoint, params string[] options) => new()
    {
        ["storages"] = new JsonArray(new JsonObject
        {
            ["driver"] = "ephemeral",
            ["driver_options"] = new JsonArray(),
            ["source"] = "tmpfs",
            ["fstype"] = "tmpfs",
            ["fs_group"] = null,
            ["options"] = new JsonArray(options.Select(o => (JsonNode)o).ToArray()),
            ["mount_point"] = mountPoint,
        }),
    };

    [Fact]
    public void An_empty_ephemeral_update_is_allowed_and_a_remount_of_a_volume_the_policy_lacks_is_refused()
    {
        Decide("UpdateEphemeralMountsRequest", new JsonObject { ["storages"] = new JsonArray() }).Allowed.Should().BeTrue("Kata sends an empty list after every sandbox resize");

        var decision = Decide("UpdateEphemeralMountsRequest", Remount("/run/kata-containers/sandbox/ephemeral/cache", "remount", "size=2m"));
        decision.Allowed.Should().BeFalse("the group's emptyDir is on disk, not in memory");
        decision.Reason.Should().Be("ephemeral.storages: storages[0]: storage at /run/kata-containers/sandbox/ephemeral/cache is not a remount of a memory-backed volume of the policy");
    }

    [Fact]
    public async Task Only_a_resizing_remount_of_the_policys_memory_volume_is_allowed()
    {
        var (policy, _) = await examples.GenerateFromTextAsync(MemoryVolumeManifest, "memory-volume.yaml");
        var engine = PolicyEngine.Load(policy.PolicyText);
        PolicyDecision Ephemeral(JsonObject request) => Send(engine.NewSession(), "UpdateEphemeralMountsRequest", request);
        const string cache = "/run/kata-containers/sandbox/ephemeral/cache";

        Ephemeral(Remount(cache, "remount", "size=2048k", "fsgid=2000")).Allowed.Should().BeTrue();
        Ephemeral(Remount(cache, "remount", "size=50%")).Allowed.Should().BeTrue();

        var refused = new Dictionary<string, JsonObject>
        {
            ["another volume"] = Remount("/run/kata-containers/sandbox/ephemeral/other", "remount", "size=1m"),
            ["a path that leaves the volume"] = Remount(cache + "/../../../../etc", "remount", "size=1m"),
            ["a longer name"] = Remount(cache + "x", "remount", "size=1m"),
            ["a fresh mount rather than a remount"] = Remount(cache, "size=1m"),
            ["an executable remount"] = Remount(cache, "remount", "size=1m", "exec"),
            ["a size with trailing text"] = Remount(cache, "remount", "size=1m,exec"),
            ["a group that is not a number"] = Remount(cache, "remount", "fsgid=root"),
        };
        var otherDriver = Remount(cache, "remount", "size=1m");
        otherDriver["storages"]![0]!["driver"] = "local";
        refused["another driver"] = otherDriver;
        var otherType = Remount(cache, "remount", "size=1m");
        otherType["storages"]![0]!["fstype"] = "ext4";
        refused["another file system"] = otherType;
        var otherSource = Remount(cache, "remount", "size=1m");
        otherSource["storages"]![0]!["source"] = "/dev/vda";
        refused["a block device as source"] = otherSource;
        var second = Remount(cache, "remount", "size=1m");
        second["storages"]!.AsArray().Add(Remount("/run/kata-containers/sandbox/ephemeral/other", "remount")["storages"]![0]!.DeepClone());
        refused["an allowed storage followed by another"] = second;

        foreach (var (what, request) in refused)
        {
            var decision = Ephemeral(request);
            decision.Allowed.Should().BeFalse(what);
            decision.Reason.Should().StartWith("ephemeral.storages: storages[", what);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // CopyFile: files, directories and the atomic writer's links
    // ---------------------------------------------------------------------------------------------

    private string Projected(string name) => $"{CopyRoot}/{Host.ContainerId(App)}-{new string('1', 16)}-{name}";

    private static JsonObject Copy(string path, string fileType, int mode, string? target = null) => new()
    {
        ["path"] = path,
        ["file_type"] = fileType,
        ["symlink_target"] = target,
        ["file_size"] = target is null ? 0 : target.Length,
        ["file_mode"] = mode,
        ["dir_mode"] = 0x1ED, // 0755
        ["uid"] = 0,
        ["gid"] = 0,
        ["offset"] = 0,
    };

    [Fact]
    public void A_projected_volume_is_copied_as_the_atomic_writer_makes_it()
    {
        var volume = Projected("serviceaccount");
        const string stamp = "..2024_06_01_12_00_00.123456789";
        var sequence = new[]
        {
            Copy(volume, "Directory", 0x41ED), // drwxr-xr-x
            Copy($"{volume}/{stamp}", "Directory", 0x41ED),
            Copy($"{volume}/{stamp}/token", "Regular", 0x81A4), // -rw-r--r--
            Copy($"{volume}/{stamp}/ca.crt", "Regular", 0x81A4),
            Copy($"{volume}/..data", "Symlink", 0xA1FF, stamp),
            Copy($"{volume}/token", "Symlink", 0xA1FF, "..data/token"),
            Copy($"{volume}/ca.crt", "Symlink", 0xA1FF, "..data/ca.crt"),
        };

        var session = NewSession();
        foreach (var request in sequence)
        {
            var decision = Send(session, "CopyFileRequest", request);
            decision.Allowed.Should().BeTrue($"{request["path"]}: {decision.Reason}");
        }
    }

    [Theory]
    [InlineData("/etc/passwd", "Regular", "copy.path: path: path /etc/passwd is not in the copy allow-list")]
    [InlineData("{root}/../../../etc/passwd", "Regular", "copy.path: path: the path must be absolute, without empty, '.' or '..' components")]
    [InlineData("{volume}/../x", "Regular", "copy.path: path: the path must be absolute, without empty, '.' or '..' components")]
    [InlineData("{volume}/./x", "Directory", "copy.path: path: the path must be absolute, without empty, '.' or '..' components")]
    [InlineData("{volume}//x", "Regular", "copy.path: path: the path must be absolute, without empty, '.' or '..' components")]
    [InlineData("{root}/resolv.conf", "Regular", "copy.path: path: path {root}/resolv.conf is not in the copy allow-list")]
    [InlineData("{volume}", "Unknown", "copy.file_type: file_type: file type Unknown is not copied (regular files, directories and symbolic links only)")]
    public void A_copy_to_a_path_or_of_a_type_the_rule_refuses_is_denied(string path, string fileType, string reason)
    {
        var volume = Projected("config");
        string Fill(string text) => text.Replace("{volume}", volume, StringComparison.Ordinal).Replace("{root}", CopyRoot, StringComparison.Ordinal);

        var decision = Decide("CopyFileRequest", Copy(Fill(path), fileType, fileType == "Directory" ? 0x41ED : 0x81A4));

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().Be(Fill(reason));
    }

    [Theory]
    [InlineData(0x89ED, "setuid")] // -rwsr-xr-x
    [InlineData(0x85ED, "setgid")]
    [InlineData(0x43FF, "sticky directory")] // drwxrwxrwt
    public void Setuid_setgid_and_sticky_bits_are_not_copied(int mode, string what)
    {
        var fileType = (mode & 0xF000) == 0x4000 ? "Directory" : "Regular";
        var decision = Decide("CopyFileRequest", Copy(Projected("config") + "/run.sh", fileType, mode));

        decision.Allowed.Should().BeFalse(what);
        decision.Reason.Should().StartWith("copy.mode: file_mode: mode ", what).And.EndWith("has set-user-ID, set-group-ID or sticky bits", what);
    }

    [Theory]
    [InlineData("/etc/shadow")]
    [InlineData("/")]
    [InlineData("..")]
    [InlineData("../..")]
    [InlineData("../other-volume/token")]
    [InlineData("..data/../../x")]
    [InlineData("./..data")]
    [InlineData("..data//token")]
    [InlineData("..data/")]
    [InlineData("")]
    [InlineData(null)]
    public void A_link_whose_target_could_leave_its_directory_is_denied(string? target)
    {
        var decision = Decide("CopyFileRequest", Copy(Projected("config") + "/token", "Symlink", 0xA1FF, target));

        decision.Allowed.Should().BeFalse(target ?? "no target");
        decision.Reason.Should().StartWith("copy.symlink_target: symlink_target: link target", target ?? "no target");
    }

    [Fact]
    public void A_link_at_the_top_of_the_shared_directory_is_denied_even_with_a_plain_target()
    {
        // The volume itself as a link would let the host point a container's mount anywhere its name resolves.
        var decision = Decide("CopyFileRequest", Copy(Projected("config"), "Symlink", 0xA1FF, "..data"));

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().Be("copy.symlink: path: a symbolic link is only copied into a directory that is itself an allowed copy path");
    }

    // ---------------------------------------------------------------------------------------------
    // Networking
    // ---------------------------------------------------------------------------------------------

    private static JsonObject Interface(Action<JsonObject>? change = null)
    {
        var iface = new JsonObject
        {
            ["device"] = "eth0",
            ["name"] = "eth0",
            ["IPAddresses"] = new JsonArray(
                new JsonObject { ["family"] = 0, ["address"] = "10.244.0.14", ["mask"] = "24" },
                new JsonObject { ["family"] = 1, ["address"] = "fe80::6474:9fff:fe6a:9601", ["mask"] = "64" }),
            ["mtu"] = 1500,
            ["hwAddr"] = "66:74:9f:6a:96:01",
            ["devicePath"] = "",
            ["type_"] = "",
            ["raw_flags"] = 0,
        };
        change?.Invoke(iface);
        return new JsonObject { ["interface"] = iface };
    }

    [Fact]
    public void The_interface_a_Kata_host_sends_is_allowed_with_or_without_arp()
    {
        Decide("UpdateInterfaceRequest", Interface()).Allowed.Should().BeTrue();
        Decide("UpdateInterfaceRequest", Interface(i => i["raw_flags"] = 128)).Allowed.Should().BeTrue("IFF_NOARP is what Kata sets for some networks");
    }

    public static TheoryData<string, string> RefusedInterfaces => new()
    {
        { "name=lo", "interface.name: interface.name: interface lo may not be configured" },
        { "device=lo", "interface.name: interface.device: interface lo may not be configured" },
        { "name=", "interface.name: interface.name: an interface needs a name" },
        { "raw_flags=8", "interface.raw_flags: interface.raw_flags: flags 8 are not allowed (only 128)" }, // IFF_LOOPBACK
        { "raw_flags=256", "interface.raw_flags: interface.raw_flags: flags 256 are not allowed (only 128)" }, // IFF_PROMISC
        { "raw_flags=129", "interface.raw_flags: interface.raw_flags: flags 129 are not allowed (only 128)" },
        { "hwAddr=00:00:00:00:00:00", "interface.hw_addr: interface.hwAddr: hardware address '00:00:00:00:00:00' is missing, all-zero (loopback), multicast or malformed" },
        { "hwAddr=", "interface.hw_addr: interface.hwAddr: hardware address '' is missing, all-zero (loopback), multicast or malformed" },
        { "hwAddr=66:74:9f:6a:96", "interface.hw_addr: interface.hwAddr: hardware address '66:74:9f:6a:96' is missing, all-zero (loopback), multicast or malformed" },
        { "address=127.0.0.1", "interface.addresses: interface.IPAddresses[0].address: address 127.0.0.1 is a loopback address or not an IP address" },
        { "address=127.255.3.4", "interface.addresses: interface.IPAddresses[0].address: address 127.255.3.4 is a loopback address or not an IP address" },
        { "address=::1", "interface.addresses: interface.IPAddresses[0].address: address ::1 is a loopback address or not an IP address" },
        { "address=0:0:0:0:0:0:0:1", "interface.addresses: interface.IPAddresses[0].address: address 0:0:0:0:0:0:0:1 is a loopback address or not an IP address" },
    };

    [Theory]
    [MemberData(nameof(RefusedInterfaces))]
    public void An_interface_change_the_rule_refuses_is_denied_with_its_reason(string change, string reason)
    {
        var (field, value) = (change[..change.IndexOf('=')], change[(change.IndexOf('=') + 1)..]);
        var request = Interface(i =>
        {
            switch (field)
            {
                case "raw_flags":
                    i[field] = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "address":
                    i["IPAddresses"]![0]!["address"] = value;
                    break;
                default:
                    i[field] = value;
                    break;
            }
        });

        var decision = Decide("UpdateInterfaceRequest", request);

        decision.Allowed.Should().BeFalse(change);
        decision.Reason.Should().Be(reason, change);
    }

    [Fact]
    public void An_interface_request_without_an_interface_is_denied()
    {
        var decision = Decide("UpdateInterfaceRequest", new JsonObject { ["interface"] = null });

        decision.Allowed.Should().BeFalse();
        decision.Reason.Should().Be("interface.name: interface.name: an interface needs a name");
    }

    private static JsonObject Routes(params JsonObject[] routes) => new() { ["routes"] = new JsonObject { ["Routes"] = new JsonArray(routes) } };

    private static JsonObject Route(string dest, string gateway, string device = "eth0", string source = "") => new()
    {
        ["dest"] = dest,
        ["gateway"] = gateway,
        ["device"] = device,
        ["source"] = source,
        ["scope"] = 0,
        ["family"] = 0,
        ["flags"] = 0,
    };

    [Fact]
    public void The_routes_a_Kata_host_sends_are_allowed()
    {
        Decide("UpdateRoutesRequest", Routes(Route("", "10.244.0.1"), Route("10.244.0.0/24", ""))).Allowed.Should().BeTrue();
        Decide("UpdateRoutesRequest", Routes()).Reason.Should().StartWith("route.routes: routes.Routes: an empty route list is not allowed", "Kata sends no empty list");
    }

    [Fact]
    public void Routes_through_the_loopback_device_or_with_loopback_addresses_are_denied()
    {
        var cases = new Dictionary<string, (JsonObject Request, string Reason)>
        {
            ["device lo"] = (Routes(Route("", "10.244.0.1"), Route("10.0.0.0/8", "", device: "lo")), "route.device: routes.Routes[1].device: device 'lo' is not allowed (a route needs a device other than loopback)"),
            ["loopback gateway"] = (Routes(Route("", "127.0.0.1")), "route.addresses: routes.Routes[0].gateway: address 127.0.0.1 is a loopback address or not an IP address"),
            ["loopback source"] = (Routes(Route("10.0.0.0/8", "", source: "::1")), "route.addresses: routes.Routes[0].source: address ::1 is a loopback address or not an IP address"),
            ["no list"] = (new JsonObject { ["routes"] = null }, "route.routes: routes.Routes: an empty route list is not allowed (Kata sends none; replacing the routes with it would delete them all)"),
        };

        foreach (var (what, (request, reason)) in cases)
        {
            var decision = Decide("UpdateRoutesRequest", request);
            decision.Allowed.Should().BeFalse(what);
            decision.Reason.Should().Be(reason, what);
        }
    }

    private static JsonObject Neighbor(Action<JsonObject>? change = null)
    {
        var neighbor = new JsonObject
        {
            ["toIPAddress"] = new JsonObject { ["family"] = 0, ["address"] = "10.0.0.1", ["mask"] = "" },
            ["device"] = "eth0",
            ["lladdr"] = "00:00:5e:00:53:01",
            ["state"] = 128,
            ["flags"] = 0,
        };
        change?.Invoke(neighbor);
        return new JsonObject { ["neighbors"] = new JsonObject { ["ARPNeighbors"] = new JsonArray(neighbor) } };
    }

    [Fact]
    public void The_neighbours_a_Kata_host_sends_are_allowed()
    {
        Decide("AddARPNeighborsRequest", Neighbor()).Allowed.Should().BeTrue();
        Decide("AddARPNeighborsRequest", Neighbor(n => n["state"] = 2)).Allowed.Should().BeTrue("reachable");
        Decide("AddARPNeighborsRequest", Neighbor(n => n["flags"] = 128)).Allowed.Should().BeTrue("NTF_ROUTER");
    }

    [Fact]
    public void Neighbours_the_rule_refuses_are_denied_with_their_reason()
    {
        var cases = new Dictionary<string, (JsonObject Request, string Reason)>
        {
            ["device lo"] = (Neighbor(n => n["device"] = "lo"), "neighbor.device: neighbors.ARPNeighbors[0].device: device 'lo' is not allowed (a neighbor needs a device other than loopback)"),
            ["loopback"] = (Neighbor(n => n["toIPAddress"]!["address"] = "127.0.0.1"), "neighbor.address: neighbors.ARPNeighbors[0].toIPAddress.address: address 127.0.0.1 is a loopback address, not an IP address, or carries a mask"),
            ["a network"] = (Neighbor(n => n["toIPAddress"]!["mask"] = "24"), "neighbor.address: neighbors.ARPNeighbors[0].toIPAddress.address: address 10.0.0.1 is a loopback address, not an IP address, or carries a mask"),
            ["no address"] = (Neighbor(n => n["toIPAddress"] = null), "neighbor.address: neighbors.ARPNeighbors[0].toIPAddress.address: address  is a loopback address, not an IP address, or carries a mask"),
            ["incomplete"] = (Neighbor(n => n["state"] = 1), "neighbor.state: neighbors.ARPNeighbors[0].state: only reachable or permanent neighbours are added"),
            ["noarp state"] = (Neighbor(n => n["state"] = 64), "neighbor.state: neighbors.ARPNeighbors[0].state: only reachable or permanent neighbours are added"),
            ["NTF_SELF"] = (Neighbor(n => n["flags"] = 2), "neighbor.flags: neighbors.ARPNeighbors[0].flags: only NTF_PROXY and NTF_ROUTER may be set"),
            ["no list"] = (new JsonObject { ["neighbors"] = null }, "neighbor.neighbors: neighbors.ARPNeighbors: an empty neighbour list is not allowed"),
        };

        foreach (var (what, (request, reason)) in cases)
        {
            var decision = Decide("AddARPNeighborsRequest", request);
            decision.Allowed.Should().BeFalse(what);
            decision.Reason.Should().Be(reason, what);
        }
    }

    [Fact]
    public void A_denied_guest_request_leaves_the_state_as_it_was()
    {
        var session = PodRunning();
        var before = session.State;

        Send(session, "UpdateInterfaceRequest", Interface(i => i["name"] = "lo")).Allowed.Should().BeFalse();
        Send(session, "CopyFileRequest", Copy(Projected("config") + "/token", "Symlink", 0xA1FF, "../../x")).Allowed.Should().BeFalse();
        Send(session, "UpdateContainerRequest", new JsonObject { ["container_id"] = new string('e', 64) }).Allowed.Should().BeFalse();

        session.State.Should().Be(before);
    }
}
