using System.Security.Cryptography;
using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Policy.Simulation;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The sandbox-wide requests a Kata host sends besides containers, over the socket to the Linux
/// backend: guest details and CPU/memory onlining against a sysfs-shaped directory (and the real /sys
/// read-only), the clock, the random pool, metrics, volume statistics and ephemeral remounts on real
/// tmpfs mounts, and GetOOMEvent's long-poll released at teardown. The default policy's refusals are
/// shown with the plain probe group; <see cref="SwitchedOnGroup"/> switches the optional ones on.
/// </summary>
public sealed class GuestRequestTests(SwitchedOnGroup open, ProbeGroup plain) : IClassFixture<SwitchedOnGroup>, IClassFixture<ProbeGroup>
{
    [Fact]
    public async Task Guest_details_come_from_sysfs_and_the_agent()
    {
        var sysfs = FakeSysfs(plain);
        File.WriteAllText(Path.Combine(sysfs, "devices/system/memory/block_size_bytes"), "8000000\n");
        File.WriteAllText(Path.Combine(sysfs, "devices/system/memory/probe"), string.Empty);
        await using var agent = await StartAsync(plain, o => o with { SysfsRoot = sysfs });

        var answer = await agent.CallAsync("GetGuestDetails", new GuestDetailsRequest { MemBlockSize = true, MemHotplugProbe = true });
        answer.Ok.Should().BeTrue(answer.Message);
        var details = (GuestDetailsResponse)answer.Response!;
        details.MemBlockSizeBytes.Should().Be(0x8000000);
        details.SupportMemHotplugProbe.Should().BeTrue();
        details.AgentDetails.Version.Should().NotBeNullOrEmpty();
        details.AgentDetails.StorageHandlers.Should().Contain("blk");
        details.AgentDetails.SupportsSeccomp.Should().BeFalse();

        File.WriteAllText(Path.Combine(sysfs, "devices/system/memory/block_size_bytes"), "not hex\n");
        (await agent.CallAsync("GetGuestDetails", new GuestDetailsRequest { MemBlockSize = true })).Code.Should().Be(StatusCode.Internal);
        var nothingAsked = await agent.CallAsync("GetGuestDetails", new GuestDetailsRequest());
        ((GuestDetailsResponse)nothingAsked.Response!).MemBlockSizeBytes.Should().Be(0, "the block size is read only when asked for");
    }

    [Fact]
    public async Task Guest_details_read_the_real_sysfs()
    {
        var real = "/sys/devices/system/memory/block_size_bytes";
        await using var agent = await StartAsync(plain, o => o);
        var details = (GuestDetailsResponse)(await agent.CallAsync("GetGuestDetails", new GuestDetailsRequest { MemBlockSize = true, MemHotplugProbe = true })).Response!;
        details.MemBlockSizeBytes.Should().Be(File.Exists(real) ? Convert.ToUInt64(File.ReadAllText(real).Trim(), 16) : 0);
        details.SupportMemHotplugProbe.Should().Be(File.Exists("/sys/devices/system/memory/probe"));
        details.AgentDetails.InitDaemon.Should().BeFalse("the test host is not pid 1");

        var online = await agent.CallAsync("OnlineCPUMem", new OnlineCPUMemRequest { NbCpus = 1, CpuOnly = true });
        online.Ok.Should().BeTrue("at least one CPU is online, so nothing is written: {0}", online.Message);
    }

    [Fact]
    public async Task Online_cpu_mem_onlines_as_many_offline_cpus_as_asked_and_every_memory_block_and_offlines_nothing()
    {
        var sysfs = FakeSysfs(plain);
        string Cpu(int n) => Path.Combine(sysfs, $"devices/system/cpu/cpu{n}/online");
        string Block(int n) => Path.Combine(sysfs, $"devices/system/memory/memory{n}/online");
        await using var agent = await StartAsync(plain, o => o with { SysfsRoot = sysfs });

        var cpus = await agent.CallAsync("OnlineCPUMem", new OnlineCPUMemRequest { NbCpus = 3, CpuOnly = true });
        cpus.Ok.Should().BeTrue(cpus.Message);
        (File.ReadAllText(Cpu(2)).Trim(), File.ReadAllText(Cpu(3)).Trim()).Should().Be(("1", "0"), "cpu0 (no online file) and cpu1 were online: one more makes three");
        File.ReadAllText(Block(1)).Trim().Should().Be("0", "cpu_only leaves memory alone");

        var all = await agent.CallAsync("OnlineCPUMem", new OnlineCPUMemRequest { NbCpus = 4 });
        all.Ok.Should().BeTrue(all.Message);
        File.ReadAllText(Cpu(3)).Should().Be("1");
        File.ReadAllText(Block(1)).Should().Be("1");
        File.ReadAllText(Block(0)).Trim().Should().Be("1");
        File.ReadAllText(Cpu(1)).Trim().Should().Be("1", "nothing is ever taken offline");
    }

    [Fact]
    public async Task Memory_probe_addresses_are_written_when_switched_on_and_denied_by_default()
    {
        var sysfs = FakeSysfs(open.Group);
        var probe = Path.Combine(sysfs, "devices/system/memory/probe");
        File.WriteAllText(probe, string.Empty);
        await using (var agent = await StartAsync(open.Group, o => o with { SysfsRoot = sysfs }))
        {
            var answer = await agent.CallAsync("MemHotplugByProbe", new MemHotplugByProbeRequest { MemHotplugProbeAddr = { 0x100000000, 0x108000000 } });
            answer.Ok.Should().BeTrue(answer.Message);
            File.ReadAllText(probe).Should().Be("0x108000000", "each address is written to the probe file as kata-agent formats it");
        }

        File.WriteAllText(probe, string.Empty);
        await using var strict = await StartAsync(plain, o => o with { SysfsRoot = sysfs });
        (await strict.CallAsync("MemHotplugByProbe", new MemHotplugByProbeRequest { MemHotplugProbeAddr = { 0x100000000 } })).Code.Should().Be(StatusCode.PermissionDenied);
        File.ReadAllText(probe).Should().BeEmpty();
    }

    [Fact]
    public async Task The_clock_is_set_when_switched_on_and_the_default_policy_refuses_it()
    {
        await using (var strict = await StartAsync(plain, o => o))
        {
            var refused = await strict.CallAsync("SetGuestDateTime", Now());
            refused.Code.Should().Be(StatusCode.PermissionDenied);
        }

        await using var agent = await StartAsync(open.Group, o => o);
        (await agent.CallAsync("SetGuestDateTime", new SetGuestDateTimeRequest { Sec = 1, Usec = 2_000_000 })).Code.Should().Be(StatusCode.InvalidArgument);

        // Set to the current time, so the machine's clock does not move (by more than the request's own latency).
        var before = DateTimeOffset.UtcNow;
        var set = await agent.CallAsync("SetGuestDateTime", Now());
        set.Ok.Should().BeTrue(set.Message);
        DateTimeOffset.UtcNow.Should().BeCloseTo(before, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Reseeding_mixes_the_bytes_into_the_random_device_and_is_refused_by_default()
    {
        var seed = RandomNumberGenerator.GetBytes(64);
        await using (var strict = await StartAsync(plain, o => o))
        {
            (await strict.CallAsync("ReseedRandomDev", new ReseedRandomDevRequest { Data = ByteString.CopyFrom(seed) })).Code.Should().Be(StatusCode.PermissionDenied);
        }

        await using (var agent = await StartAsync(open.Group, o => o))
        {
            var mixed = await agent.CallAsync("ReseedRandomDev", new ReseedRandomDevRequest { Data = ByteString.CopyFrom(seed) });
            mixed.Ok.Should().BeTrue($"/dev/random takes the bytes and the CRNG is reseeded: {mixed.Message}");
            (await agent.CallAsync("ReseedRandomDev", new ReseedRandomDevRequest())).Code.Should().Be(StatusCode.InvalidArgument);
        }

        var notRandom = Path.Combine(open.Group.NewDirectory("not-random"), "random");
        File.WriteAllBytes(notRandom, []);
        await using var misconfigured = await StartAsync(open.Group, o => o with { RandomDevice = notRandom });
        var answer = await misconfigured.CallAsync("ReseedRandomDev", new ReseedRandomDevRequest { Data = ByteString.CopyFrom(seed) });
        answer.Code.Should().Be(StatusCode.FailedPrecondition, "a regular file cannot reseed a CRNG");
        File.ReadAllBytes(notRandom).Should().Equal(seed, "the bytes were written before the reseed was tried");
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_under_kata_names_when_diagnostics_are_on()
    {
        await using (var strict = await StartAsync(plain, o => o))
        {
            (await strict.CallAsync("GetMetrics", new GetMetricsRequest())).Code.Should().Be(StatusCode.PermissionDenied);
        }

        await using var agent = await StartAsync(open.Group, o => o);
        var answer = await agent.CallAsync("GetMetrics", new GetMetricsRequest());
        answer.Ok.Should().BeTrue(answer.Message);
        var text = ((Metrics)answer.Response!).Metrics_;
        text.Should().Contain("# TYPE kata_agent_threads gauge").And.Contain("kata_guest_meminfo{item=\"memtotal\"} ").And.Contain("kata_guest_cpu_time{cpu=\"total\",item=\"user\"}");
        text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Should().OnlyContain(l => l.Split(' ').Length == 2, "every sample is a name and a value");
    }

    [RootFact]
    public async Task Volume_stats_answer_statfs_of_a_mount_under_the_sandbox_storage_and_nothing_else()
    {
        var root = open.Group.NewDirectory("guest-volumes");
        var volume = Path.Combine(root, "run/kata-containers/sandbox/storage/data");
        Directory.CreateDirectory(volume);
        (await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=4m,nr_inodes=1000", "tmpfs", volume])).EnsureSuccess("mount tmpfs");
        try
        {
            await using var agent = await StartAsync(plain, o => o with { CopyFileRoot = root });
            var answer = await agent.CallAsync("GetVolumeStats", new VolumeStatsRequest { VolumeGuestPath = "/run/kata-containers/sandbox/storage/data" });
            answer.Ok.Should().BeTrue(answer.Message);
            var stats = (VolumeStatsResponse)answer.Response!;
            stats.Usage.Single(u => u.Unit == VolumeUsage.Types.Unit.Bytes).Total.Should().Be(4 << 20);
            stats.Usage.Single(u => u.Unit == VolumeUsage.Types.Unit.Inodes).Total.Should().Be(1000);
            stats.VolumeCondition.Message.Should().Be("OK");

            foreach (var path in new[] { "/etc", "/run/kata-containers/sandbox/storage/../../../etc", "/run/kata-containers/sandbox/storage", "run/kata-containers/sandbox/storage/data" })
            {
                (await agent.CallAsync("GetVolumeStats", new VolumeStatsRequest { VolumeGuestPath = path })).Code.Should().Be(StatusCode.PermissionDenied, path);
            }

            (await agent.CallAsync("GetVolumeStats", new VolumeStatsRequest { VolumeGuestPath = "/run/kata-containers/sandbox/storage/none" })).Code.Should().Be(StatusCode.NotFound);
            var tmpfs = await agent.CallAsync("ResizeVolume", new ResizeVolumeRequest { VolumeGuestPath = "/run/kata-containers/sandbox/storage/data" });
            tmpfs.Code.Should().Be(StatusCode.PermissionDenied, "resizing is switched off by default");
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", [volume]);
        }
    }

    [RootFact]
    public async Task Resize_grows_the_ext4_volume_to_its_device_or_reports_what_the_kernel_refused()
    {
        var root = open.Group.NewDirectory("guest-resize");
        var image = Path.Combine(root, "disk.img");
        var volume = Path.Combine(root, "run/kata-containers/sandbox/storage/disk");
        Directory.CreateDirectory(volume);
        (await ProcessRunner.RunAsync("truncate", ["-s", "64M", image])).EnsureSuccess("truncate");
        (await ProcessRunner.RunAsync("mkfs.ext4", ["-q", "-b", "4096", image, "16M"])).EnsureSuccess("mkfs.ext4");
        var device = (await ProcessRunner.RunAsync("losetup", ["-f", "--show", image])).EnsureSuccess("losetup").StandardOutput.Trim();
        try
        {
            (await ProcessRunner.RunAsync("mount", [device, volume])).EnsureSuccess("mount");
            await using var agent = await StartAsync(open.Group, o => o with { CopyFileRoot = root });
            async Task<ulong> TotalAsync() =>
                ((VolumeStatsResponse)(await agent.CallAsync("GetVolumeStats", new VolumeStatsRequest { VolumeGuestPath = "/run/kata-containers/sandbox/storage/disk" })).Response!).Usage[0].Total;
            var before = await TotalAsync();

            var tooBig = await agent.CallAsync("ResizeVolume", new ResizeVolumeRequest { VolumeGuestPath = "/run/kata-containers/sandbox/storage/disk", Size = 1UL << 30 });
            tooBig.Code.Should().Be(StatusCode.FailedPrecondition);
            tooBig.Message.Should().Contain("fewer than");

            var resized = await agent.CallAsync("ResizeVolume", new ResizeVolumeRequest { VolumeGuestPath = "/run/kata-containers/sandbox/storage/disk", Size = 64 << 20 });
            if (HasCapability(24))
            {
                resized.Ok.Should().BeTrue(resized.Message);
                (await TotalAsync()).Should().BeGreaterThan(before * 3, "the file system now fills its 64 MiB device");
            }
            else
            {
                // Online ext4 resizing needs CAP_SYS_RESOURCE, which this test host withholds even from root.
                resized.Code.Should().Be(StatusCode.Internal);
                resized.Message.Should().Contain("resize2fs").And.Contain("Permission denied");
                (await TotalAsync()).Should().Be(before);
            }
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", [volume]);
            await ProcessRunner.RunAsync("losetup", ["-d", device]);
        }
    }

    [RootFact]
    public async Task Ephemeral_remounts_resize_the_policys_memory_volumes_and_nothing_else()
    {
        var root = open.Group.NewDirectory("guest-ephemeral");
        var cache = Path.Combine(root, "run/kata-containers/sandbox/ephemeral", SwitchedOnGroup.CacheVolume);
        Directory.CreateDirectory(cache);
        (await ProcessRunner.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", cache])).EnsureSuccess("mount tmpfs");
        try
        {
            await using var agent = await StartAsync(open.Group, o => o with { CopyFileRoot = root });
            (await agent.CallAsync("UpdateEphemeralMounts", new UpdateEphemeralMountsRequest())).Ok.Should().BeTrue("Kata sends an empty list when a pod has no memory volumes");
            var resized = await agent.CallAsync("UpdateEphemeralMounts", Remount($"/run/kata-containers/sandbox/ephemeral/{SwitchedOnGroup.CacheVolume}", "remount", "size=2048k", "fsgid=2000"));
            resized.Ok.Should().BeTrue(resized.Message);
            (await ProcessRunner.RunAsync("findmnt", ["-n", "-o", "SIZE", "-b", cache])).StandardOutput.Trim().Should().Be((2 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));

            var refused = new[]
            {
                Remount("/run/kata-containers/sandbox/ephemeral/other", "remount", "size=1m"),
                Remount($"/run/kata-containers/sandbox/ephemeral/{SwitchedOnGroup.CacheVolume}", "size=1m"),
                Remount($"/run/kata-containers/sandbox/ephemeral/{SwitchedOnGroup.CacheVolume}", "remount", "size=1m", "exec"),
                WithDriver(Remount($"/run/kata-containers/sandbox/ephemeral/{SwitchedOnGroup.CacheVolume}", "remount", "size=1m"), "local"),
            };
            foreach (var request in refused)
            {
                var answer = await agent.CallAsync("UpdateEphemeralMounts", request);
                answer.Code.Should().Be(StatusCode.PermissionDenied, request.ToString());
                answer.Message.Should().Contain("ephemeral.storages");
            }

            (await ProcessRunner.RunAsync("findmnt", ["-n", "-o", "SIZE", "-b", cache])).StandardOutput.Trim().Should().Be((2 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            await ProcessRunner.RunAsync("umount", [cache]);
        }

        await using var strict = await StartAsync(plain, o => o with { CopyFileRoot = root });
        (await strict.CallAsync("UpdateEphemeralMounts", Remount($"/run/kata-containers/sandbox/ephemeral/{SwitchedOnGroup.CacheVolume}", "remount", "size=1m")))
            .Code.Should().Be(StatusCode.PermissionDenied, "the plain group's policy has no memory volume");
    }

    [Fact]
    public async Task Get_oom_event_waits_until_the_sandbox_is_destroyed()
    {
        await using var agent = await StartAsync(plain, o => o);
        var waiting = agent.CallAsync("GetOOMEvent", new GetOOMEventRequest());
        await Task.Delay(300);
        waiting.IsCompleted.Should().BeFalse("GetOOMEvent is a long-poll");
        (await agent.CallAsync("GetGuestDetails", new GuestDetailsRequest())).Ok.Should().BeTrue("a waiting GetOOMEvent holds up no other request");

        (await agent.CallAsync("DestroySandbox", new DestroySandboxRequest())).Ok.Should().BeTrue();
        var released = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        released.Code.Should().Be(StatusCode.Unavailable);
        (await agent.CallAsync("GetOOMEvent", new GetOOMEventRequest()).WaitAsync(TimeSpan.FromSeconds(10))).Code.Should().Be(StatusCode.Unavailable, "after teardown it returns at once");
    }

    [Fact]
    public async Task Container_requests_are_decided_for_the_policys_containers_and_device_rules_are_refused()
    {
        await using var agent = await RunningAgent.StartAsync(open.Group);
        var host = new KataHostSimulator(open.Group.Settings, open.Group.Plan);
        foreach (var request in host.StartPod())
        {
            (await agent.SendAsync(request.Kind, request.Input)).Ok.Should().BeTrue(request.Description);
        }

        var app = host.ContainerId(open.Group.App);
        var devices = await agent.CallAsync("UpdateContainer", new UpdateContainerRequest
        {
            ContainerId = app,
            Resources = new LinuxResources { Devices = { new LinuxDeviceCgroup { Allow = true, Type = "b", Major = 253, Minor = 0, Access = "rwm" } } },
        });
        devices.Code.Should().Be(StatusCode.PermissionDenied);
        devices.Message.Should().Contain("update.resources");

        // Allowed by the policy; the development backend then says what it cannot do.
        (await agent.CallAsync("UpdateContainer", new UpdateContainerRequest { ContainerId = app, Resources = new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20 } } }))
            .Code.Should().Be(StatusCode.Unimplemented);
        (await agent.CallAsync("StatsContainer", new StatsContainerRequest { ContainerId = app })).Code.Should().Be(StatusCode.FailedPrecondition);
        (await agent.CallAsync("PauseContainer", new PauseContainerRequest { ContainerId = app })).Code.Should().Be(StatusCode.Unimplemented);
        (await agent.CallAsync("TtyWinResize", new TtyWinResizeRequest { ContainerId = app, Row = 40, Column = 120 })).Code.Should().Be(StatusCode.Unavailable);
        (await agent.CallAsync("GetDiagnosticData", new GetDiagnosticDataRequest { ContainerId = app, LogType = "termination_log" })).Code.Should().Be(StatusCode.NotFound, "the spec carries no terminationMessagePath annotation");
        (await agent.CallAsync("GetDiagnosticData", new GetDiagnosticDataRequest { ContainerId = app, LogType = "kernel_log" })).Code.Should().Be(StatusCode.PermissionDenied);
    }

    [Fact]
    public async Task Swap_iptables_changes_and_mem_agent_are_never_allowed()
    {
        foreach (var group in new[] { plain, open.Group })
        {
            await using var agent = await StartAsync(group, o => o);
            var requests = new (string Method, IMessage Request)[]
            {
                ("AddSwap", new AddSwapRequest { PCIPath = { 2 } }),
                ("AddSwapPath", new AddSwapPathRequest { Path = "/dev/vdb" }),
                ("SetIPTables", new SetIPTablesRequest { Data = ByteString.CopyFromUtf8("*filter\nCOMMIT\n") }),
                ("MemAgentMemcgSet", new MemAgentMemcgConfig()),
                ("MemAgentCompactSet", new MemAgentCompactConfig()),
                ("StatsContainer", new StatsContainerRequest { ContainerId = "not-created" }),
                ("PauseContainer", new PauseContainerRequest { ContainerId = "not-created" }),
                ("UpdateContainer", new UpdateContainerRequest { ContainerId = "not-created" }),
                ("TtyWinResize", new TtyWinResizeRequest { ContainerId = "not-created" }),
                ("GetDiagnosticData", new GetDiagnosticDataRequest { ContainerId = "not-created", LogType = "termination_log" }),
            };
            foreach (var (method, request) in requests)
            {
                (await agent.CallAsync(method, request)).Code.Should().Be(StatusCode.PermissionDenied, method);
            }
        }
    }

    private static SetGuestDateTimeRequest Now()
    {
        var now = DateTimeOffset.UtcNow;
        return new SetGuestDateTimeRequest { Sec = now.ToUnixTimeSeconds(), Usec = now.ToUnixTimeMilliseconds() % 1000 * 1000 };
    }

    private static UpdateEphemeralMountsRequest Remount(string mountPoint, params string[] options) => new()
    {
        Storages = { new Storage { Driver = "ephemeral", Source = "tmpfs", Fstype = "tmpfs", MountPoint = mountPoint, Options = { options } } },
    };

    private static UpdateEphemeralMountsRequest WithDriver(UpdateEphemeralMountsRequest request, string driver)
    {
        request.Storages[0].Driver = driver;
        return request;
    }

    /// <summary>A directory shaped like /sys: cpu0 (no online file, as the boot CPU), cpu1 online, cpu2 and cpu3 offline; memory0 online, memory1 offline.</summary>
    private static string FakeSysfs(ProbeGroup group)
    {
        var sysfs = group.NewDirectory("sysfs");
        Directory.CreateDirectory(Path.Combine(sysfs, "devices/system/cpu/cpu0"));
        Directory.CreateDirectory(Path.Combine(sysfs, "devices/system/cpu/cpufreq"));
        foreach (var (cpu, online) in new[] { (1, "1"), (2, "0"), (3, "0") })
        {
            Directory.CreateDirectory(Path.Combine(sysfs, $"devices/system/cpu/cpu{cpu}"));
            File.WriteAllText(Path.Combine(sysfs, $"devices/system/cpu/cpu{cpu}/online"), online + "\n");
        }

        foreach (var (block, online) in new[] { (0, "1"), (1, "0") })
        {
            Directory.CreateDirectory(Path.Combine(sysfs, $"devices/system/memory/memory{block}"));
            File.WriteAllText(Path.Combine(sysfs, $"devices/system/memory/memory{block}/online"), online + "\n");
        }

        return sysfs;
    }

    private static bool HasCapability(int capability)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return (Convert.ToUInt64(line["CapEff:".Length..].Trim(), 16) & (1UL << capability)) != 0;
    }

    private static Task<RunningAgent> StartAsync(ProbeGroup group, Func<RuntimeOptions, RuntimeOptions> configure) =>
        RunningAgent.StartAsync(group, backend: new LinuxBackend(configure(new RuntimeOptions
        {
            StateDirectory = group.NewDirectory("guest-state"),
            VerifyLayers = false,
            LayerMounts = LayerMounts.Off,
        })));
}

/// <summary>Runs as root (mounts, loop devices).</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "needs root";
        }
    }
}
