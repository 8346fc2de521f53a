using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Parma.Agent.Protocol;
using Parma.Agent.Runtime;
using Parma.Agent.Ttrpc;
using Parma.Policy.Simulation;
using Xunit.Abstractions;

namespace Parma.Vm.Tests;

/// <summary>
/// The example group's pod, driven inside a real VM the way a Kata host drives it: the NativeAOT agent
/// binds the group's policy to HOST_DATA (development report), the host replays the simulated trace over
/// ttrpc through a virtio-serial port, layers arrive as read-only virtio-blk devices that the agent
/// opens with dm-verity under the policy's root hashes, overlays are mounted in the policy's order,
/// containers and probes run under runc, and everything is torn down. A layer device with one byte
/// changed, or with a wrong block count in its parameters, is refused.
/// </summary>
public sealed class ExampleGroupInVmTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [VmFact]
    public async Task The_example_group_runs_in_a_VM_from_verity_layers_and_a_tampered_layer_is_refused()
    {
        var total = Stopwatch.StartNew();
        var image = await VmImage.GetAsync();
        var building = Stopwatch.StartNew();
        using var group = await RunnableExampleGroup.CreateAsync();
        var groupTime = building.Elapsed;
        var host = new KataHostSimulator(group.Settings, group.Plan);
        var hello = group.Plan.Containers.Single(c => c.Name == "hello");
        var helloLayer = LayerIdsOf(hello)[1];
        var tampered = new VmDisk(Path.Combine(group.Work, "tampered.img"), TestVm.FirstDiskSlot + group.LayerDisks.Count, ReadOnly: true);
        WriteTampered(group.LayerDisks[helloLayer].File, tampered.File);
        var miscounted = new VmDisk(Path.Combine(group.Work, "miscounted.img"), tampered.Slot + 1, ReadOnly: true);
        WriteMiscounted(group.LayerDisks[helloLayer].File, miscounted.File);

        await using var vm = await TestVm.StartAsync(new TestVmOptions { PolicyText = group.Policy.PolicyText, Disks = [.. group.LayerDisks.Values, tampered, miscounted] });
        output.WriteLine($"image build {image.BuildTime.TotalSeconds:F1} s, group policy and layer disks {groupTime.TotalSeconds:F1} s, qemu start to agent listening {vm.BootTime.TotalSeconds:F1} s");
        vm.Console.Should().Contain($"policy host_data {group.Policy.HostDataHex}", "the agent bound the group's policy to the (development) report's HOST_DATA").And.NotContain("REFUSING");
        await using var agent = await vm.ConnectAsync();

        var trivial = await RoundTripsAsync(agent);
        output.WriteLine($"denied request round trip over virtio-serial: median {trivial.Median:F2} ms, min {trivial.Min:F2} ms (n={trivial.Count})");

        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var request in host.StartPod())
        {
            var input = request.Input.DeepClone().AsObject();
            if (request.Kind == "CreateContainerRequest")
            {
                var id = input["container_id"]!.GetValue<string>();
                ids[request.Description["create container ".Length..]] = id;
                await CopySharedFilesAsync(agent, input);
                AttachLayers(input, group);
                if (id == host.ContainerId(hello))
                {
                    var forged = input.DeepClone().AsObject();
                    PointLayerAt(forged, helloLayer, tampered.PciPath);
                    var refused = async () => await agent.SendAsync("CreateContainerRequest", forged).WaitAsync(Patience);
                    (await refused.Should().ThrowAsync<TtrpcException>("a changed byte in a layer device fails dm-verity's check"))
                        .Which.Message.Should().Contain("dm-verity").And.Contain(helloLayer);
                    vm.Console.Should().MatchRegex("verity.*(corrupted|error)", "the kernel's dm-verity refused the block");

                    PointLayerAt(forged, helloLayer, miscounted.PciPath);
                    (await refused.Should().ThrowAsync<TtrpcException>("the host's block count only says where the tree is; a wrong one fails verification"))
                        .Which.Message.Should().Contain("dm-verity");
                }
            }

            var watch = Stopwatch.StartNew();
            await agent.SendAsync(request.Kind, input).WaitAsync(Patience);
            output.WriteLine($"{request.Description}: {watch.Elapsed.TotalMilliseconds:F0} ms");
        }

        var mounts = await vm.RunInGuestAsync("grep -c ' overlay ' /proc/mounts; dmsetup ls; ls /run/parma-agent/.layers | wc -l");
        output.WriteLine($"guest while running:\n{mounts.Output}");
        mounts.Output.Split('\n')[0].Trim().Should().Be("3", "pause, hello and log-shipper each have an overlay root");
        mounts.Output.Should().Contain("No devices found", "verity devices are closed once their layer is unpacked into guest memory");
        mounts.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim().Should().Be(group.LayerDisks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "each distinct layer is unpacked once and shared");

        foreach (var request in host.RunAndStopPod())
        {
            var watch = Stopwatch.StartNew();
            switch (request.Kind)
            {
                case "ExecProcessRequest":
                    await agent.SendAsync(request.Kind, request.Input).WaitAsync(Patience);
                    var wait = new JsonObject { ["container_id"] = request.Input["container_id"]!.GetValue<string>(), ["exec_id"] = request.Input["exec_id"]!.GetValue<string>() };
                    var status = (WaitProcessResponse)await agent.SendAsync("WaitProcessRequest", wait).WaitAsync(Patience);
                    status.Status.Should().Be(0, $"the probe ({request.Description}) ran in the container's overlay root under runc");
                    break;
                case "WaitProcessRequest":
                    await StopAsync(agent, request.Input);
                    break;
                default:
                    await agent.SendAsync(request.Kind, request.Input).WaitAsync(Patience);
                    break;
            }

            output.WriteLine($"{request.Description}: {watch.Elapsed.TotalMilliseconds:F0} ms");
        }

        await agent.SendAsync("DestroySandboxRequest", new JsonObject()).WaitAsync(Patience);
        var after = await vm.RunInGuestAsync("grep -c -e ' overlay ' -e ' /run/kata-containers/sandbox/shm ' /proc/mounts; dmsetup ls; ls -A /run/parma-agent | wc -l");
        output.WriteLine($"guest after teardown:\n{after.Output}");
        after.Output.Split('\n')[0].Trim().Should().Be("0", "the overlays and the sandbox's shm are unmounted");
        after.Output.Should().Contain("No devices found");
        output.WriteLine($"whole test {total.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>The layer root hashes of a container, top-most first (as its storages list them).</summary>
    private static List<string> LayerIdsOf(Parma.Policy.Generation.ContainerPlan container) =>
        Parma.Policy.Generation.LayerIds.TopMostFirst(container.Image).Select(l => l.RootHash).ToList();

    /// <summary>Points every layer storage at the PCI path of the disk holding its layer, as the kata shim does when it hot-plugs them.</summary>
    private static void AttachLayers(JsonObject create, RunnableExampleGroup group)
    {
        foreach (var storage in Layers(create))
        {
            storage["source"] = group.LayerDisks[RootHash(storage)].PciPath;
        }
    }

    private static void PointLayerAt(JsonObject create, string rootHash, string pciPath)
    {
        foreach (var storage in Layers(create).Where(s => RootHash(s) == rootHash))
        {
            storage["source"] = pciPath;
        }
    }

    private static IEnumerable<JsonObject> Layers(JsonObject create) =>
        create["storages"]!.AsArray().Select(s => s!.AsObject()).Where(s => s["fstype"]!.GetValue<string>() == "tar");

    private static string RootHash(JsonObject storage) =>
        storage["options"]!.AsArray().Select(o => o!.GetValue<string>()).Single(o => o.StartsWith(LayerVerifier.RootHashOption, StringComparison.Ordinal))[LayerVerifier.RootHashOption.Length..];

    /// <summary>The files a Kata host copies in for a container's bind mounts (hosts, hostname, resolv.conf, termination-log, the ConfigMap volume).</summary>
    private static async Task CopySharedFilesAsync(AgentClient agent, JsonObject create)
    {
        var storagePoints = create["storages"]!.AsArray().Select(s => s!["mount_point"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var mount in create["OCI"]!["Mounts"]!.AsArray().Select(m => m!.AsObject()))
        {
            var source = mount["source"]!.GetValue<string>();
            if (mount["type_"]!.GetValue<string>() != "bind" || !source.StartsWith("/run/kata-containers/shared/containers/", StringComparison.Ordinal) || storagePoints.Contains(source))
            {
                continue;
            }

            var directory = !Path.GetFileName(source).Contains('.', StringComparison.Ordinal) && source.EndsWith("-config", StringComparison.Ordinal);
            var content = Encoding.UTF8.GetBytes(directory ? string.Empty : $"# {Path.GetFileName(source)} from the host\n");
            await agent.CallAsync("CopyFile", new CopyFileRequest
            {
                Path = source,
                FileMode = directory ? 0x41edu : 0x81a4u,
                DirMode = 0x1ed,
                FileSize = content.Length,
                Data = ByteString.CopyFrom(content),
            }).WaitAsync(Patience);
        }
    }

    /// <summary>A host stops a container with SIGTERM and, after a grace period, SIGKILL (a shell as pid 1 ignores SIGTERM).</summary>
    private static async Task StopAsync(AgentClient agent, JsonObject wait)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await agent.SendAsync("WaitProcessRequest", wait, grace.Token);
            return;
        }
        catch (OperationCanceledException)
        {
        }

        await agent.SendAsync("SignalProcessRequest", new JsonObject { ["container_id"] = wait["container_id"]!.GetValue<string>(), ["exec_id"] = wait["exec_id"]!.GetValue<string>(), ["signal"] = 9 }).WaitAsync(Patience);
        var status = (WaitProcessResponse)await agent.SendAsync("WaitProcessRequest", wait).WaitAsync(Patience);
        status.Status.Should().Be(128 + 9);
    }

    private static void WriteTampered(string good, string tampered)
    {
        var bytes = File.ReadAllBytes(good);
        bytes[1024] ^= 0x01;
        File.WriteAllBytes(tampered, bytes);
    }

    /// <summary>The same layer disk with the data block count in its parameter block one lower (the tree then starts inside the data).</summary>
    private static void WriteMiscounted(string good, string miscounted)
    {
        var bytes = File.ReadAllBytes(good);
        var count = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - 504));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 504), count - 1);
        File.WriteAllBytes(miscounted, bytes);
    }

    /// <summary>Round trips of a request the policy denies (ReseedRandomDev is off in the group's defaults): transport plus one decision.</summary>
    private static async Task<(double Median, double Min, int Count)> RoundTripsAsync(AgentClient agent)
    {
        var times = new List<double>();
        for (var i = 0; i < 30; i++)
        {
            var watch = Stopwatch.StartNew();
            var denied = async () => await agent.CallAsync("ReseedRandomDev", new ReseedRandomDevRequest { Data = ByteString.CopyFrom(new byte[16]) });
            await denied.Should().ThrowAsync<TtrpcException>();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (times[times.Count / 2], times[0], times.Count);
    }
}
