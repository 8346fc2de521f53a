using System.Text.Json.Nodes;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Policy.Simulation;

namespace Parma.GuestAgent.Tests;

/// <summary>
/// The Linux backend building a container's root file system the way a Kata UVM does: verified
/// layers unpacked once per sandbox, stacked with overlayfs as the request's lowerdir lists them.
/// </summary>
public sealed class LayerMountTests(ProbeGroup group) : IClassFixture<ProbeGroup>
{
    [LayerMountFact]
    public async Task Create_mounts_the_verified_layers_as_the_container_root_and_remove_unmounts_it()
    {
        var state = group.NewDirectory("mount-state");
        var backend = new LinuxBackend(new RuntimeOptions { StateDirectory = state, LayerSourceRoot = group.LayerRoot, LayerMounts = LayerMounts.Required }, runcPath: null);
        backend.Name.Should().Contain("layers mounted as overlays");
        await using var agent = await RunningAgent.StartAsync(group, backend: backend);
        var host = new KataHostSimulator(group.Settings, group.Plan);
        var create = await CreateAppAsync(agent, host);
        create.answer.Ok.Should().BeTrue(create.answer.Message);

        var rootfs = Path.Combine(state, create.id, "rootfs");
        MountedOverlays().Should().Contain(rootfs);
        File.ReadAllText(Path.Combine(rootfs, "app", "hello.sh")).Should().StartWith("#!", "the image's top layer is visible");
        File.Exists(Path.Combine(rootfs, "bin", "sh")).Should().BeTrue("the base layer shows through");
        File.ReadAllText(Path.Combine(rootfs, "etc", "passwd")).Should().Contain("root");

        await File.WriteAllTextAsync(Path.Combine(rootfs, "tmp", "written"), "by the container");
        File.Exists(Path.Combine(state, create.id, ".overlay", "upper", "tmp", "written")).Should().BeTrue("writes go to the container's upper directory");
        Directory.EnumerateFiles(Path.Combine(state, ".layers"), "written", SearchOption.AllDirectories).Should().BeEmpty("the shared layers stay unchanged");

        (await agent.SendAsync("RemoveContainerRequest", new JsonObject { ["container_id"] = create.id, ["timeout"] = 0 })).Ok.Should().BeTrue();
        MountedOverlays().Should().NotContain(rootfs);
        Directory.Exists(Path.Combine(state, create.id)).Should().BeFalse();

        (await agent.SendAsync("DestroySandboxRequest", new JsonObject())).Code.Should().NotBe(StatusCode.Internal);
    }

    [LayerMountFact]
    public async Task A_layer_file_changed_on_the_host_is_refused_before_anything_is_unpacked_or_mounted()
    {
        var layers = group.NewDirectory("tampered-layers");
        CopyDirectory(group.LayerRoot, layers);
        var host = new KataHostSimulator(group.Settings, group.Plan);
        var layerId = host.CreateContainer(group.App)["storages"]![0]!["mount_point"]!.GetValue<string>().Split('/')[^1];
        var file = Path.Combine(layers, group.Settings.Runtime.LayerSrcPrefix.TrimStart('/'), layerId);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[700] ^= 0x20;
        await File.WriteAllBytesAsync(file, bytes);

        var state = group.NewDirectory("tampered-state");
        var backend = new LinuxBackend(new RuntimeOptions { StateDirectory = state, LayerSourceRoot = layers, LayerMounts = LayerMounts.Required }, runcPath: null);
        await using var agent = await RunningAgent.StartAsync(group, backend: backend);
        var before = string.Empty;
        var create = await CreateAppAsync(agent, host, state => before = state);

        create.answer.Code.Should().Be(StatusCode.PermissionDenied);
        create.answer.Message.Should().Contain("tampered");
        agent.State.Should().Be(before, "a create the backend refused keeps no policy state");
        MountedOverlays().Should().NotContain(m => m.Contains(create.id, StringComparison.Ordinal));
        Directory.Exists(Path.Combine(state, create.id)).Should().BeFalse();
        var tamperedHash = host.CreateContainer(group.App)["storages"]![0]!["options"]![3]!.GetValue<string>().Split('=')[^1];
        Directory.EnumerateFileSystemEntries(Path.Combine(state, ".layers")).Select(Path.GetFileName)
            .Should().NotContain(n => n!.StartsWith('.') || n == tamperedHash, "neither the copy nor a partial unpack is left behind");
    }

    [Fact]
    public async Task Without_mount_privileges_required_mounts_fail_the_create_and_auto_only_verifies()
    {
        var unprivileged = new MountSupport(CanMountOverlay: false, CanMakeNodes: false, CanChown: false, HasDeviceMapper: false, Veritysetup: null);
        var auto = new LinuxBackend(new RuntimeOptions { StateDirectory = group.NewDirectory("auto"), LayerSourceRoot = group.LayerRoot }, runcPath: null, unprivileged);
        auto.MountsLayers.Should().BeFalse();
        auto.Name.Should().Contain("layers verified, not mounted");

        var backend = new LinuxBackend(
            new RuntimeOptions { StateDirectory = group.NewDirectory("unprivileged"), LayerSourceRoot = group.LayerRoot, LayerMounts = LayerMounts.Required }, runcPath: null, unprivileged);
        await using var agent = await RunningAgent.StartAsync(group, backend: backend);
        var requests = new KataHostSimulator(group.Settings, group.Plan).StartPod();
        (await agent.SendAsync(requests[0].Kind, requests[0].Input)).Ok.Should().BeTrue();
        var before = agent.State;
        var create = await agent.SendAsync(requests[1].Kind, requests[1].Input);
        create.Code.Should().Be(StatusCode.FailedPrecondition);
        create.Message.Should().Contain("layer mounts are required").And.Contain("CAP_SYS_ADMIN");
        agent.State.Should().Be(before);
    }

    private static async Task<(Answer answer, string id)> CreateAppAsync(RunningAgent agent, KataHostSimulator host, Action<string>? beforeApp = null)
    {
        var requests = host.StartPod();
        (await agent.SendAsync(requests[0].Kind, requests[0].Input)).Ok.Should().BeTrue("the sandbox is created");
        var pause = await agent.SendAsync(requests[1].Kind, requests[1].Input);
        pause.Ok.Should().BeTrue(pause.Message);
        var app = requests.Last(r => r.Kind == "CreateContainerRequest");
        beforeApp?.Invoke(agent.State);
        return (await agent.SendAsync(app.Kind, app.Input), app.Input["container_id"]!.GetValue<string>());
    }

    internal static IReadOnlyList<string> MountedOverlays() =>
        File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).Where(f => f.Length > 2 && f[2] == "overlay").Select(f => f[1]).ToList();

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

/// <summary>Runs where this process may mount overlays and make whiteouts (root with CAP_SYS_ADMIN, as the agent in a UVM).</summary>
public sealed class LayerMountFactAttribute : FactAttribute
{
    public LayerMountFactAttribute()
    {
        if (MountSupport.Detect().MissingForLayerMounts is { } missing)
        {
            Skip = $"this process cannot build overlay root file systems: {missing}";
        }
    }
}
