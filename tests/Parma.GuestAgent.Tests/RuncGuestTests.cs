using System.Security.Cryptography;
using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Testing;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// Container requests beyond the life cycle with real runc containers: a process killed for exceeding
/// the container's memory limit comes back from GetOOMEvent over the socket, StatsContainer reads the
/// container's cgroups, PauseContainer/ResumeContainer freeze and thaw it, UpdateContainer changes its
/// limits, and TtyWinResize says there is no terminal. The containers are made through the backend
/// directly (their rootfs is a static busybox, not verified layers); the policy's side of these
/// requests is in <see cref="GuestRequestTests"/>.
/// </summary>
public sealed class RuncGuestTests(ProbeGroup group) : IClassFixture<ProbeGroup>, IDisposable
{
    private const long Limit = 32 << 20;

    private readonly string _state = Directory.CreateTempSubdirectory("parma-runc-guest-").FullName;

    [RuncFact]
    public async Task A_process_killed_for_memory_is_reported_by_get_oom_event_over_the_socket()
    {
        var backend = Backend();
        await using var agent = await RunningAgent.StartAsync(group, backend: backend);
        var waiting = agent.CallAsync("GetOOMEvent", new GetOOMEventRequest());

        var id = "oom-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        await CreateAndStartAsync(backend, id, "sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1; echo survived", Limit);
        var answer = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        answer.Ok.Should().BeTrue(answer.Message);
        ((OOMEvent)answer.Response!).ContainerId.Should().Be(id);

        var stats = ((StatsContainerResponse)await CallAsync(backend, "StatsContainer", new StatsContainerRequest { ContainerId = id })).CgroupStats;
        stats.MemoryStats.Usage.Limit.Should().Be((ulong)Limit, "the container runs under the memory limit of its spec");
        stats.MemoryStats.Usage.MaxUsage.Should().BeGreaterThan((ulong)Limit / 2, "dd's 64 MiB buffer ran into the limit");
        stats.CpuStats.CpuUsage.TotalUsage.Should().BeGreaterThan(0);
        await CallAsync(backend, "RemoveContainer", new RemoveContainerRequest { ContainerId = id });
    }

    [RuncFact]
    public async Task Stats_pause_resume_update_and_tty_act_on_the_running_container()
    {
        await using var backend = Backend();
        var id = "guest-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        await CreateAndStartAsync(backend, id, "echo started; exec sleep 60", memoryLimit: 0);

        var stats = ((StatsContainerResponse)await CallAsync(backend, "StatsContainer", new StatsContainerRequest { ContainerId = id })).CgroupStats;
        stats.PidsStats.Current.Should().BeGreaterThanOrEqualTo(1);
        stats.MemoryStats.Usage.Usage.Should().BeGreaterThan(0);

        await CallAsync(backend, "PauseContainer", new PauseContainerRequest { ContainerId = id });
        (await RuncStateAsync(id)).Should().Contain("\"status\": \"paused\"");
        await CallAsync(backend, "ResumeContainer", new ResumeContainerRequest { ContainerId = id });
        (await RuncStateAsync(id)).Should().Contain("\"status\": \"running\"");

        await CallAsync(backend, "UpdateContainer", new UpdateContainerRequest
        {
            ContainerId = id,
            Resources = new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20 }, Pids = new LinuxPids { Limit = 50 } },
        });
        var updated = ((StatsContainerResponse)await CallAsync(backend, "StatsContainer", new StatsContainerRequest { ContainerId = id })).CgroupStats;
        updated.MemoryStats.Usage.Limit.Should().Be(64 << 20);
        updated.PidsStats.Limit.Should().Be(50);

        var tty = async () => await CallAsync(backend, "TtyWinResize", new TtyWinResizeRequest { ContainerId = id, Row = 40, Column = 120 });
        (await tty.Should().ThrowAsync<RuntimeException>()).Which.Code.Should().Be(StatusCode.Unavailable);
        await CallAsync(backend, "RemoveContainer", new RemoveContainerRequest { ContainerId = id });
    }

    [Fact]
    public async Task The_development_backend_has_no_cgroups_to_report_and_no_runtime_to_pause()
    {
        await using var backend = new DevelopmentBackend(new RuntimeOptions { StateDirectory = group.NewDirectory("dev-stats"), VerifyLayers = false });
        await backend.ExecuteAsync(AgentMethods.ByName["CreateContainer"], new CreateContainerRequest { ContainerId = "dev", OCI = RuncContainerTests.Spec(RuncContainerTests.Shell("true")) }, CancellationToken.None);
        var stats = async () => await CallAsync(backend, "StatsContainer", new StatsContainerRequest { ContainerId = "dev" });
        (await stats.Should().ThrowAsync<RuntimeException>()).Which.Code.Should().Be(StatusCode.FailedPrecondition);
        var pause = async () => await CallAsync(backend, "PauseContainer", new PauseContainerRequest { ContainerId = "dev" });
        (await pause.Should().ThrowAsync<RuntimeException>()).Which.Code.Should().Be(StatusCode.Unimplemented);
        var network = async () => await CallAsync(backend, "UpdateRoutes", new UpdateRoutesRequest { Routes = new Routes() });
        (await network.Should().ThrowAsync<RuntimeException>()).Which.Message.Should().Contain("does not carry out UpdateRoutes", "a development machine's network is not the host's to change");
    }

    [Fact]
    public async Task The_bundle_carries_a_pid_namespace_the_specs_limits_a_deny_all_device_cgroup_and_refuses_a_page_size_that_names_another_file()
    {
        var state = group.NewDirectory("resources");
        await using var backend = new DevelopmentBackend(new RuntimeOptions { StateDirectory = state, VerifyLayers = false });
        var spec = RuncContainerTests.Spec(RuncContainerTests.Shell("true"));
        spec.Linux.Namespaces.Remove(spec.Linux.Namespaces.Single(n => n.Type == "pid"));
        spec.Linux.Resources = new LinuxResources
        {
            Memory = new LinuxMemory { Limit = Limit },
            Pids = new LinuxPids { Limit = 20 },
            Devices = { new LinuxDeviceCgroup { Allow = true, Type = "b", Major = 253, Minor = 0, Access = "rwm" } },
        };
        await CallAsync(backend, "CreateContainer", new CreateContainerRequest { ContainerId = "limits", OCI = spec });
        var linux = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(state, "limits", "config.json")))!["linux"]!;
        linux["namespaces"]!.AsArray().Select(n => n!["type"]!.GetValue<string>()).Should().Contain("pid", "every container gets a PID namespace of its own, as kata-agent gives it");
        var resources = linux["resources"]!;
        resources["memory"]!["limit"]!.GetValue<long>().Should().Be(Limit);
        resources["pids"]!["limit"]!.GetValue<long>().Should().Be(20);
        resources["devices"]!.ToJsonString().Should().Be("""[{"allow":false,"access":"rwm"}]""", "the host's device rule is not carried into the bundle");

        spec.Linux.Resources = new LinuxResources { HugepageLimits = { new LinuxHugepageLimit { Pagesize = "2MB.limit_in_bytes/../../memory", Limit = 1 } } };
        var create = async () => await CallAsync(backend, "CreateContainer", new CreateContainerRequest { ContainerId = "pages", OCI = spec });
        (await create.Should().ThrowAsync<RuntimeException>()).Which.Code.Should().Be(StatusCode.InvalidArgument);
        Directory.Exists(Path.Combine(state, "pages")).Should().BeFalse();
    }

    private LinuxBackend Backend() => new(new RuntimeOptions { StateDirectory = _state, VerifyLayers = false, LayerMounts = LayerMounts.Off });

    private async Task CreateAndStartAsync(IRuntimeBackend backend, string id, string script, long memoryLimit)
    {
        var spec = RuncContainerTests.Spec(RuncContainerTests.Shell(script));
        if (memoryLimit > 0)
        {
            spec.Linux.Resources = new LinuxResources { Memory = new LinuxMemory { Limit = memoryLimit, Swap = memoryLimit } };
        }

        await CallAsync(backend, "CreateContainer", new CreateContainerRequest { ContainerId = id, OCI = spec });
        RuncContainerTests.PopulateRootfs(Path.Combine(_state, id, "rootfs"));
        await CallAsync(backend, "StartContainer", new StartContainerRequest { ContainerId = id });
    }

    private async Task<string> RuncStateAsync(string id) =>
        (await ProcessRunner.RunAsync("runc", ["--root", Path.Combine(_state, ".runc"), "state", id])).EnsureSuccess("runc state").StandardOutput;

    private static Task<IMessage> CallAsync(IRuntimeBackend backend, string method, IMessage request) =>
        backend.ExecuteAsync(AgentMethods.ByName[method], request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
